"""The dossier runtime's front door: commands (each one transaction through `store.commit`) and
queries. Callers use these names only; `store` and the runner stay behind them.

    submit, complete_task, claim, release, step, engine_step, fire_due_timers, deliver_message,
    migrate_to, add_supplement, rate                                   (commands: take the runtime)
    view, task_view, visible_task, inbox, inbox_counts, summary, history, get_for, rebuild_projections,
    stored_projections                                                  (queries)
"""

from engine.dossiers.applicant import unreachable
from engine.dossiers.citizen import add_supplement, rate
from engine.dossiers.commands import (
    claim,
    complete_task,
    deliver_message,
    engine_step,
    fire_due_timers,
    get_for,
    migrate_to,
    release,
    step,
)
from engine.dossiers.queries import (
    DossierView,
    TaskView,
    inbox,
    inbox_counts,
    rebuild_projections,
    stored_projections,
    summary,
    task_view,
    view,
    visible_task,
)
from engine.dossiers.row import DossierRow, TaskRow
from engine.dossiers.store import Loaded, history, load_task
from engine.dossiers.submit import submit, submit_once

__all__ = [
    "DossierRow", "DossierView", "Loaded", "TaskRow", "TaskView", "add_supplement", "claim", "complete_task",
    "deliver_message", "engine_step", "fire_due_timers", "get_for", "history", "inbox", "inbox_counts", "load_task",
    "migrate_to",
    "rate", "rebuild_projections", "release", "step", "stored_projections", "submit", "submit_once", "summary",
    "task_view", "unreachable", "view", "visible_task",
]
