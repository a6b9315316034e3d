"""Tortoise models of the engine (one Tortoise app, label "models")."""

from engine.models.access import DataExport, DocumentAccess
from engine.models.accounts import ApiToken, RegistrationCode, Role, User
from engine.models.agency import Agency, ReceptionPoint
from engine.models.calendar import CalendarOverride
from engine.models.channel_policy import ChannelPolicy
from engine.models.design import DesignAudit, ProcedureDraft
from engine.models.dossier import AuditEvent, Dossier, DossierCounter, Rating
from engine.models.draft import ApplicationDraft
from engine.models.human_task import HumanTask
from engine.models.insight import FormAttempt, FormFailure
from engine.models.notice import StaffNotice, StaffNoticeDigest, StaffNoticeRead
from engine.models.notification import CaughtMessage, Notification, NotificationTemplate
from engine.models.portal import PortalSync
from engine.models.procedure import Procedure, ProcedureVersion
from engine.models.reporting import ReportDossier, ReportTarget, ReportTargetChange, ReportTask
from engine.models.security import IdempotencyRecord, ThrottleBucket
from engine.models.session import Session
from engine.models.spine import Attachment, ConfigRevision, DossierPause, DossierResult, OutboxEvent
from engine.models.timer import Timer

__all__ = [
    "Agency", "ApiToken", "ApplicationDraft", "Attachment", "AuditEvent", "CalendarOverride", "CaughtMessage",
    "ChannelPolicy", "Notification", "NotificationTemplate",
    "ConfigRevision", "DataExport", "DesignAudit", "DocumentAccess", "Dossier", "DossierCounter", "DossierPause",
    "DossierResult", "FormAttempt", "FormFailure", "HumanTask", "IdempotencyRecord", "OutboxEvent", "PortalSync",
    "Procedure", "ProcedureDraft", "ProcedureVersion", "Rating", "ReceptionPoint", "RegistrationCode", "ReportDossier",
    "ReportTarget", "ReportTargetChange", "ReportTask", "Role", "Session", "StaffNotice", "StaffNoticeDigest",
    "StaffNoticeRead", "ThrottleBucket", "Timer", "User",
]
