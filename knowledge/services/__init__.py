"""Every write of the knowledge app, a module per concept: the expert pool, events, the
page tree, good practices, project ideas.

Each service is keyword-only, runs in one transaction, checks permissions itself (so no
surface can forget) and raises ValidationError / PermissionDenied with a translated message
for bad input, changing nothing. Domain events and emails go out after commit. Callers
import from `knowledge.services`.
"""

from ._common import (
    CONTACT_LIMIT,
    CONTACT_WINDOW,
    RateLimited,
)
from .events import (
    event_cancel_registration,
    event_register,
    event_waitlist_fill,
)
from .experts import (
    contact_request_create,
    expert_profile_save,
)
from .ideas import (
    allowed_stages,
    project_idea_create,
    project_idea_record_results,
    project_idea_set_stage,
    project_idea_update,
    project_team_add,
    project_team_remove,
)
from .pages import (
    knowledge_pages_ensure,
)
from .practices import (
    good_practice_draft_from_idea,
    good_practice_propose_from_thread,
    practice_discuss,
    practice_index_for,
)

__all__ = [
    "CONTACT_LIMIT",
    "CONTACT_WINDOW",
    "RateLimited",
    "allowed_stages",
    "contact_request_create",
    "event_cancel_registration",
    "event_register",
    "event_waitlist_fill",
    "expert_profile_save",
    "good_practice_draft_from_idea",
    "good_practice_propose_from_thread",
    "knowledge_pages_ensure",
    "practice_discuss",
    "practice_index_for",
    "project_idea_create",
    "project_idea_record_results",
    "project_idea_set_stage",
    "project_idea_update",
    "project_team_add",
    "project_team_remove",
]
