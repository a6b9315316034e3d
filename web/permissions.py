"""Who may use which door of the site: the web layer's one reading of `User.kind`.

Each door is a named `Permission` that `web.auth.requires` checks before the handler runs; the
predicates below answer the finer questions pages and the API ask about the caller. Nothing else
in web/ compares `user.kind` to a string.

Least privilege (issue 10): administrators design procedures and run the site (designer, /quan-tri,
the API's administration); they open no dossier, task, document or search, so they read no citizen's
personal data. The role x route matrix (tests/security/test_route_matrix.py) holds every door.
"""

from __future__ import annotations

from dataclasses import dataclass

from engine.errors import PermissionDenied
from engine.models import User

YOUR_ACCOUNT_MAY_NOT = "Your account may not do this"


@dataclass(frozen=True)
class Permission:
    """A door: the user kinds it admits (every signed-in user when empty), the staff roles that also
    open it to a staff account (``roles``: e.g. leaders), and why others are refused."""

    name: str
    kinds: tuple[str, ...] = ()
    refusal: str = YOUR_ACCOUNT_MAY_NOT
    roles: tuple[str, ...] = ()

    def allows(self, user: User | None) -> bool:
        if user is None:
            return False
        if user.kind == "staff" and any(user.has_role(r) for r in self.roles):
            return True
        return not self.kinds or user.kind in self.kinds

    def refused(self) -> PermissionDenied:
        return PermissionDenied(self.refusal, required=list(self.kinds))


#: any signed-in account (the engine then decides what it may see)
SIGNED_IN = Permission("signed_in")
#: applying online from the citizen pages
APPLY_ONLINE = Permission("apply_online", ("citizen",), "Staff submit at the counter (officer-assisted intake)")
#: the staff pages (inbox, tasks, counter intake, dossier page)
STAFF_PAGES = Permission("staff_pages", ("staff", "manager"), "Only staff work on dossiers")
#: the designer
DESIGN = Permission("design", ("admin",), "Only administrators design procedures")
#: the API's administration: procedures, versions, migrations, calendar overrides, channel policies
ADMINISTER = Permission("administer", ("admin",))
#: submitting a dossier through the API
SUBMIT = Permission("submit", ("citizen", "staff", "manager"))
#: the API's task inbox
TASK_INBOX = Permission("task_inbox", ("staff", "manager"))
#: searching every dossier and exporting the list (/quan-ly/ho-so, GET /api/v1/dossiers): managers, and
#: staff within their scope (`search_scope`)
DOSSIER_SEARCH = Permission("dossier_search", ("manager", "staff"), "Only staff search dossiers")

#: the Decision 766 indicators, the dossiers behind them and their exports (/bao-cao): managers and
#: leaders (staff holding the `leader` role), each within their agencies' scope (`search_scope`)
REPORTS = Permission("reports", ("manager",), "Only managers and leaders read the reports", roles=("leader",))
#: changing the target per indicator (POST /bao-cao/muc-tieu): managers only, and of them only those
#: with the province-wide view (`sets_report_targets`): a target is the province's, not one agency's.
#: Leaders read the targets on the same page; administrators run the site but set no performance goal.
REPORT_TARGETS = Permission("report_targets", ("manager",), "Only managers set the report targets")
#: the citizen form funnel of a procedure (/bao-cao/bieu-mau): whoever reads the reports, and the
#: administrators who design the form (counts only, no personal data)
FORM_FUNNEL = Permission("form_funnel", (*REPORTS.kinds, "admin"), "Only managers, leaders and administrators read "
                         "the funnel", roles=REPORTS.roles)


#: a citizen's account page and the export of their own data (Law 91/2025: the right of access)
OWN_DATA = Permission("own_data", ("citizen",), "Only citizens have an account page with their dossiers")


def is_citizen(user: User | None) -> bool:
    """A citizen acts for themselves (or as a proxy), online only, and sees only their own dossiers."""
    return user is not None and user.kind == "citizen"


def sees_every_dossier(user: User | None) -> bool:
    """Staff and managers may open the dossiers of their agencies (engine.agencies) and their internal
    history; not citizens, not admins."""
    return has_inbox(user)


async def search_scope(user: User) -> frozenset[str] | None:
    """The agencies whose dossiers the user's search covers (None = every agency): the same scope as
    the inbox and the dossier pages (engine.agencies.visible_agencies)."""
    from engine.agencies import visible_agencies

    return await visible_agencies(user)


async def sets_report_targets(user: User) -> bool:
    """A manager whose view covers every agency (engine.agencies.visible_agencies is None)."""
    return REPORT_TARGETS.allows(user) and await search_scope(user) is None


def has_inbox(user: User | None) -> bool:
    """The accounts that get tasks (engine.assignment.can_work_on): the nav's inbox link."""
    return user is not None and user.kind in ("staff", "manager")


def does_counter_intake(user: User | None) -> bool:
    return has_inbox(user) and user is not None and user.has_role("one_stop")


@dataclass(frozen=True)
class Nav:
    """The site header's links for the signed-in user (templates only format)."""

    design: bool = False
    inbox: bool = False
    intake: bool = False
    administer: bool = False
    search: bool = False
    account: bool = False
    reports: bool = False

    @classmethod
    def of(cls, user: User | None) -> Nav:
        return cls(DESIGN.allows(user), has_inbox(user), does_counter_intake(user), ADMINISTER.allows(user),
                   DOSSIER_SEARCH.allows(user), OWN_DATA.allows(user), REPORTS.allows(user))


def home_of(user: User) -> str:
    """Where signing in leads when no page was asked for."""
    return "/can-bo" if has_inbox(user) else "/designer" if DESIGN.allows(user) else "/"
