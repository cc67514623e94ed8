"""Project ideas: create, edit, move through stages, record results, the team."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core.concurrency import check_version
from core.idempotency import idempotent
from groups import permissions as group_perms
from groups.models import WorkingGroup

from .. import permissions as perms
from .. import signals
from ..choices import (
    STAGE_PATH,
    Stage,
    Topic,
)
from ..fields import encode, split
from ..models import (
    ProjectIdea,
    ProjectStageChange,
    ProjectTeamMember,
)

# Contact requests a member may send per rolling day (spam brake; replies count too).
from ._common import (
    _emit,
    _render,
    _require_login,
)

# --- project ideas ------------------------------------------------------------------------

IDEA_TEXT_FIELDS = (
    "title",
    "problem",
    "approach",
    "cities",
    "region",
    "topics",
    "expertise_needed",
    "expertise_note",
)


def _apply_idea_fields(idea: ProjectIdea, changes: dict) -> None:
    for name, value in changes.items():
        if name in ("topics", "expertise_needed"):
            value = encode(split(value) if isinstance(value, str) else value, Topic.values)
        setattr(
            idea,
            name,
            value.strip()
            if isinstance(value, str) and name not in ("topics", "expertise_needed")
            else value,
        )
    if not idea.title:
        raise ValidationError(_("Please give the project idea a title."))
    if not idea.problem.strip():
        raise ValidationError(_("Please describe the problem the project addresses."))
    idea.problem_html = _render(idea.problem)
    idea.approach_html = _render(idea.approach)
    idea.full_clean(exclude=["group", "created_by"])


@idempotent(user="by")
@transaction.atomic
def project_idea_create(*, group: WorkingGroup, by, role: str = "", **fields) -> ProjectIdea:
    """Start a project idea in a group (members may); its author joins the team."""
    _require_login(by)
    perms.check_can_create_idea(by, group)
    unknown = set(fields) - set(IDEA_TEXT_FIELDS)
    if unknown:
        raise ValueError(f"Not project idea fields: {sorted(unknown)}")
    idea = ProjectIdea(group=group, created_by=by)
    _apply_idea_fields(idea, {"region": group.region, **fields})
    idea.save()
    ProjectTeamMember.objects.create(idea=idea, user=by, role=role or _("Initiator"))
    ProjectStageChange.objects.create(idea=idea, from_stage="", to_stage=Stage.IDEA, by=by)
    from groups.services import group_touch_activity

    group_touch_activity(group=group)
    return idea


def _lock_idea_version(
    idea: ProjectIdea, *, expected_version: int | None, names, edited: dict
) -> bool:
    """Lock the idea's row; False when `edited` (the submitted values of `names`) is what is
    saved already (a doubled submit: nothing to do), EditConflict when the form was loaded
    from an older version. Then bumps `idea.version` for the save."""
    saved = ProjectIdea.objects.select_for_update().get(pk=idea.pk)
    current = {name: getattr(saved, name) for name in names}
    if all(edited.get(name) == value for name, value in current.items() if name in edited):
        return False
    check_version(expected=expected_version, current=saved.version, saved=current)
    idea.version = saved.version + 1
    return True


@transaction.atomic
def project_idea_update(
    *, idea: ProjectIdea, by, expected_version: int | None = None, **fields
) -> ProjectIdea:
    """Edit a project idea's description (team and group moderators).

    `expected_version` is the idea's version when the edit form was loaded: if it was saved
    since, EditConflict carries the saved texts and nothing changes (None skips the check).
    """
    perms.check_can_edit_idea(by, idea)
    unknown = set(fields) - set(IDEA_TEXT_FIELDS)
    if unknown:
        raise ValueError(f"Not project idea fields: {sorted(unknown)}")
    _apply_idea_fields(idea, fields)
    edited = {name: getattr(idea, name) for name in fields}
    if _lock_idea_version(
        idea, expected_version=expected_version, names=IDEA_TEXT_FIELDS, edited=edited
    ):
        idea.save()
    return idea


def allowed_stages(idea: ProjectIdea) -> list[str]:
    """Next step, one step back (a correction), or dropped; a dropped idea can be revived
    at the stage it was dropped from."""
    if idea.stage == Stage.DROPPED:
        last = (
            idea.stage_changes.filter(to_stage=Stage.DROPPED).order_by("-created_at", "-pk").first()
        )
        return [last.from_stage] if last and last.from_stage else [Stage.IDEA]
    position = STAGE_PATH.index(idea.stage)
    options = []
    if position + 1 < len(STAGE_PATH):
        options.append(STAGE_PATH[position + 1])
    if position > 0:
        options.append(STAGE_PATH[position - 1])
    if idea.stage != Stage.EVALUATED:
        options.append(Stage.DROPPED)
    return [str(s) for s in options]


@transaction.atomic
def project_idea_set_stage(
    *, idea: ProjectIdea, stage: str, by, note: str = ""
) -> ProjectStageChange:
    """Move the idea to another stage and record who did it, when (the only writer of
    ProjectStageChange)."""
    perms.check_can_edit_idea(by, idea)
    # Lock the row and read the stage afresh: two team members clicking at once make one move.
    idea.stage = (
        ProjectIdea.objects.select_for_update().values_list("stage", flat=True).get(pk=idea.pk)
    )
    if stage not in allowed_stages(idea):
        raise ValidationError(
            _("A project at stage “%(current)s” cannot move to “%(stage)s”.")
            % {
                "current": Stage(idea.stage).label,
                "stage": Stage(stage).label if stage in Stage.values else stage,
            }
        )
    change = ProjectStageChange.objects.create(
        idea=idea, from_stage=idea.stage, to_stage=stage, by=by, note=note.strip()[:500]
    )
    idea.stage = stage
    idea.stage_changed_at = change.created_at
    idea.save(update_fields=["stage", "stage_changed_at", "updated_at"])
    _emit(
        signals.project_stage_changed,
        ProjectIdea,
        idea=idea,
        idea_id=idea.pk,
        group=idea.group,
        group_id=idea.group_id,
        from_stage=change.from_stage,
        to_stage=stage,
        by=by,
        by_id=by.pk,
    )
    return change


@transaction.atomic
def project_idea_record_results(
    *,
    idea: ProjectIdea,
    by,
    results: str,
    lessons_learned: str,
    expected_version: int | None = None,
) -> ProjectIdea:
    """At "evaluated", the team records what came out of it and what they learned.

    `expected_version` as for `project_idea_update` (a stale form gets EditConflict)."""
    perms.check_can_edit_idea(by, idea)
    if idea.stage != Stage.EVALUATED:
        raise ValidationError(_("Results are recorded once the project has been evaluated."))
    if not results.strip():
        raise ValidationError(_("Please describe the results."))
    edited = {"results": results.strip(), "lessons_learned": lessons_learned.strip()}
    if not _lock_idea_version(
        idea, expected_version=expected_version, names=tuple(edited), edited=edited
    ):
        return idea
    idea.results, idea.lessons_learned = edited["results"], edited["lessons_learned"]
    idea.results_html, idea.lessons_learned_html = (
        _render(idea.results),
        _render(idea.lessons_learned),
    )
    idea.save(
        update_fields=[
            "results",
            "lessons_learned",
            "results_html",
            "lessons_learned_html",
            "updated_at",
            "version",
        ]
    )
    return idea


@transaction.atomic
def project_team_add(*, idea: ProjectIdea, by, user, role: str) -> ProjectTeamMember:
    """Add a member of the group to the team (or change their role)."""
    perms.check_can_edit_idea(by, idea)
    if user is None or not user.is_active:
        raise ValidationError(_("No such member."))
    if not group_perms.is_member(user, idea.group):
        raise ValidationError(_("Only members of the group can join the project team."))
    role = role.strip()
    if not role:
        raise ValidationError(_("Please give the team member's role."))
    member, _created = ProjectTeamMember.objects.update_or_create(
        idea=idea, user=user, defaults={"role": role[:120]}
    )
    idea.__dict__.pop("_team_ids", None)
    return member


@transaction.atomic
def project_team_remove(*, idea: ProjectIdea, by, user) -> None:
    """Remove someone from the team; the team is never left empty."""
    perms.check_can_edit_idea(by, idea)
    team = idea.team.all()
    if not team.filter(user=user).exists():
        raise ValidationError(_("This person is not on the team."))
    if team.count() == 1:
        raise ValidationError(_("A project needs at least one team member."))
    team.filter(user=user).delete()
    idea.__dict__.pop("_team_ids", None)
