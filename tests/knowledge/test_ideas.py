"""Project ideas: stages with their history, the team, results, funding matches."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from groups.models import Membership
from knowledge.models import GoodPracticePage, ProjectStageChange
from knowledge.selectors import matching_opportunities
from knowledge.services import (
    good_practice_draft_from_idea,
    project_idea_record_results,
    project_idea_set_stage,
    project_team_add,
)
from tests.factories import (
    FundingOpportunityFactory,
    GroupFactory,
    MembershipFactory,
    ProjectIdeaFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
PATH = ["concept", "funding-application", "funded", "implementation", "evaluated"]


def test_stage_history_records_every_step_with_who_and_when(knowledge_pages):
    idea = ProjectIdeaFactory()
    lead = idea.created_by
    partner = UserFactory()
    MembershipFactory(group=idea.group, user=partner)
    project_team_add(idea=idea, by=lead, user=partner, role="Finance")
    for i, stage in enumerate(PATH):
        project_idea_set_stage(
            idea=idea, stage=stage, by=lead if i % 2 else partner, note=f"step {i}"
        )
    idea.refresh_from_db()
    assert idea.stage == "evaluated"
    history = list(idea.stage_changes.values_list("from_stage", "to_stage", "by__username", "note"))
    assert history[0] == ("", "idea", lead.username, "")
    assert [(f, t) for f, t, _b, _n in history[1:]] == list(
        zip(["idea", *PATH[:-1]], PATH, strict=True)
    )
    assert [b for _f, _t, b, _n in history[1:]] == [partner.username, lead.username] * 2 + [
        partner.username
    ]
    stamps = list(idea.stage_changes.values_list("created_at", flat=True))
    assert stamps == sorted(stamps)


def test_stage_moves_are_checked(knowledge_pages):
    idea = ProjectIdeaFactory()
    lead = idea.created_by
    with pytest.raises(ValidationError):
        project_idea_set_stage(idea=idea, stage="funded", by=lead)  # no skipping
    project_idea_set_stage(idea=idea, stage="dropped", by=lead, note="No partner city")
    with pytest.raises(ValidationError):
        project_idea_set_stage(idea=idea, stage="concept", by=lead)
    project_idea_set_stage(
        idea=idea, stage="idea", by=lead, note="Revived"
    )  # back where it was dropped
    outsider = UserFactory()
    with pytest.raises(PermissionDenied):
        project_idea_set_stage(idea=idea, stage="concept", by=outsider)
    member = UserFactory()
    MembershipFactory(group=idea.group, user=member)
    with pytest.raises(PermissionDenied):
        project_idea_set_stage(idea=idea, stage="concept", by=member)  # not on the team
    moderator = UserFactory()
    MembershipFactory(group=idea.group, user=moderator, role=Membership.Role.MODERATOR)
    project_idea_set_stage(idea=idea, stage="concept", by=moderator)
    assert ProjectStageChange.objects.filter(idea=idea).count() == 4


def test_stage_change_through_the_page(client, knowledge_pages):
    idea = ProjectIdeaFactory()
    client.force_login(idea.created_by)
    response = client.post(f"/en/projects/{idea.pk}/stage/", {"stage": "funded", "note": ""})
    assert response.status_code == 400 and "cannot move" in response.content.decode()
    response = client.post(
        f"/en/projects/{idea.pk}/stage/", {"stage": "concept", "note": "Concept note sent"}
    )
    assert response.status_code == 302
    html = client.get(f"/en/projects/{idea.pk}/").content.decode()
    assert "Concept note sent" in html and 'aria-current="step" class="current">Concept' in html


def test_results_at_evaluated_seed_a_draft_practice(client, knowledge_pages):
    idea = ProjectIdeaFactory(title="Bus lanes for Kumasi", cities="Kumasi, Tamale")
    lead = idea.created_by
    with pytest.raises(ValidationError):
        project_idea_record_results(idea=idea, by=lead, results="Too early", lessons_learned="")
    for stage in PATH:
        project_idea_set_stage(idea=idea, stage=stage, by=lead)
    project_idea_record_results(
        idea=idea,
        by=lead,
        results="Travel time **down 30 %**.",
        lessons_learned="Start with the operators.",
    )
    idea.refresh_from_db()
    assert "<strong>down 30 %</strong>" in idea.results_html
    client.force_login(lead)
    html = client.get(f"/en/projects/{idea.pk}/").content.decode()
    assert "Start with the operators." in html and "Propose as good practice" in html
    response = client.post(f"/en/projects/{idea.pk}/good-practice/")
    assert response.status_code == 302
    page = GoodPracticePage.objects.get()
    assert not page.live and page.title == "Bus lanes for Kumasi" and page.city == "Kumasi"
    assert "down 30 %" in page.results
    assert good_practice_draft_from_idea(idea=idea, by=lead).pk == page.pk  # idempotent


def test_idea_markdown_is_sanitised(knowledge_pages):
    idea = ProjectIdeaFactory(problem="<script>alert(1)</script> **real** problem")
    assert "<script>" not in idea.problem_html and "<strong>real</strong>" in idea.problem_html


def test_private_group_ideas_are_hidden(client, knowledge_pages):
    group = GroupFactory(visibility="members")
    idea = ProjectIdeaFactory(group=group, title="Confidential idea")
    # The group is known to exist (403: seen, not readable); a secret group's idea is 404.
    assert client.get(f"/en/projects/{idea.pk}/").status_code == 403
    secret = ProjectIdeaFactory(group=GroupFactory(visibility="secret"), title="Secret idea")
    assert client.get(f"/en/projects/{secret.pk}/").status_code == 404
    assert "Confidential idea" not in client.get("/en/projects/").content.decode()
    client.force_login(idea.created_by)
    assert "Confidential idea" in client.get("/en/projects/").content.decode()


def test_funding_matches_filter_by_region_topic_and_deadline(knowledge_pages):
    today = timezone.localdate()
    idea = ProjectIdeaFactory(region="sub-saharan-africa", topics=",urban-mobility,digitalisation,")
    make = FundingOpportunityFactory
    later = make(
        programme="Later, Africa, mobility",
        regions=",sub-saharan-africa,",
        topics=",urban-mobility,",
        deadline=today + dt.timedelta(days=90),
    )
    sooner = make(
        programme="Sooner, any region, digital",
        regions="",
        topics=",digitalisation,",
        deadline=today + dt.timedelta(days=10),
    )
    global_any = make(
        programme="Global, any topic",
        regions=",global,",
        topics="",
        deadline=today + dt.timedelta(days=30),
    )
    today_call = make(
        programme="Closes today", regions=",sub-saharan-africa,", topics="", deadline=today
    )
    make(
        programme="Past deadline",
        regions=",sub-saharan-africa,",
        topics=",urban-mobility,",
        deadline=today - dt.timedelta(days=1),
    )
    make(programme="Wrong region", regions=",latin-america,asia,", topics=",urban-mobility,")
    make(programme="Wrong topic", regions=",sub-saharan-africa,", topics=",energy-efficiency,")
    matches = list(matching_opportunities(idea))
    assert matches == [today_call, sooner, global_any, later]


def test_idea_page_shows_matches_soonest_first(client, knowledge_pages):
    today = timezone.localdate()
    idea = ProjectIdeaFactory(region="asia", topics=",climate-adaptation,")
    b = FundingOpportunityFactory(
        programme="B call",
        regions=",asia,",
        topics=",climate-adaptation,",
        deadline=today + dt.timedelta(days=20),
    )
    a = FundingOpportunityFactory(
        programme="A call", regions=",asia,", topics="", deadline=today + dt.timedelta(days=5)
    )
    FundingOpportunityFactory(programme="Elsewhere", regions=",mena,", topics="")
    html = client.get(f"/en/projects/{idea.pk}/").content.decode()
    assert html.index(f'data-opportunity="{a.pk}"') < html.index(f'data-opportunity="{b.pk}"')
    assert "Elsewhere" not in html


def test_creating_an_idea_needs_membership(client, knowledge_pages):
    group = GroupFactory(name="Solar cities")
    member, outsider = UserFactory(), UserFactory()
    MembershipFactory(group=group, user=member)
    data = {
        "group": group.slug,
        "title": "Solar schools",
        "problem": "Schools pay too much for power.",
        "topics": ["energy-efficiency"],
        "region": "asia",
    }
    client.force_login(outsider)
    response = client.post("/en/projects/new/", data)
    assert response.status_code == 400 and "Solar schools" in response.content.decode()
    client.force_login(member)
    response = client.post("/en/projects/new/", data)
    assert response.status_code == 302
    idea = group.project_ideas.get()
    assert idea.team.get().user == member and idea.stage == "idea"


@pytest.mark.parametrize("n", [2, 10])
def test_idea_list_query_count_is_flat(client, knowledge_pages, django_assert_max_num_queries, n):
    group = GroupFactory()
    for _ in range(n):
        ProjectIdeaFactory(group=group)
    member = UserFactory()
    MembershipFactory(group=group, user=member)
    client.force_login(member)
    client.get("/en/projects/")
    with django_assert_max_num_queries(12):
        response = client.get("/en/projects/")
    assert response.content.decode().count('class="card"') == n


@pytest.mark.parametrize("n", [1, 6])
def test_idea_detail_query_count_is_flat(client, knowledge_pages, django_assert_max_num_queries, n):
    idea = ProjectIdeaFactory()
    for _ in range(n):
        user = UserFactory()
        MembershipFactory(group=idea.group, user=user)
        project_team_add(idea=idea, by=idea.created_by, user=user, role="Engineer")
        project_idea_set_stage(idea=idea, stage="concept", by=user)
        project_idea_set_stage(idea=idea, stage="idea", by=user)
        FundingOpportunityFactory(regions="", topics="")
    client.force_login(idea.created_by)
    client.get(f"/en/projects/{idea.pk}/")
    with django_assert_max_num_queries(24):
        response = client.get(f"/en/projects/{idea.pk}/")
    assert response.status_code == 200


@pytest.mark.parametrize("n", [2, 12])
def test_funding_list_query_count_is_flat(
    client, knowledge_pages, django_assert_max_num_queries, n
):
    for _ in range(n):
        FundingOpportunityFactory(regions=",asia,", topics=",digitalisation,")
    FundingOpportunityFactory(
        programme="Closed call", deadline=timezone.localdate() - dt.timedelta(days=1)
    )
    client.get("/en/funding/")
    with django_assert_max_num_queries(7):
        response = client.get("/en/funding/")
    html = response.content.decode()
    assert html.count('class="card"') == n and "Closed call" not in html


def test_group_box_lists_the_groups_ideas_and_events_for_readers_only(rf, knowledge_pages):
    from django.contrib.auth.models import AnonymousUser
    from django.template import engines

    from tests.factories import EventFactory

    group = GroupFactory(visibility="members")
    ProjectIdeaFactory(group=group, title="Shared e-bikes")
    EventFactory(group=group, title="Members' workshop")
    template = engines["django"].from_string(
        '{% include "knowledge/includes/group_knowledge.html" %}'
    )
    request = rf.get("/en/")
    request.user = AnonymousUser()
    html = template.render({"group": group, "request": request})
    assert "Shared e-bikes" not in html and f"/en/events/feed/groups/{group.slug}/" in html
    member = UserFactory()
    MembershipFactory(group=group, user=member)
    request.user = member
    html = template.render({"group": group, "request": request})
    assert (
        "Shared e-bikes" in html
        and "Members&#x27; workshop" in html
        and "Start a project idea" in html
    )


def test_idea_forms_keep_input_and_show_the_services_message(client, knowledge_pages):
    """Create, edit and results pages: 200 on GET, 400 with the message and the member's
    input on bad input or a refused write, a redirect on success."""
    group = GroupFactory(name="Solar cities")
    idea = ProjectIdeaFactory(group=group, title="Solar schools")
    lead = idea.created_by
    client.force_login(lead)
    for url in ("/en/projects/new/", f"/en/projects/{idea.pk}/edit/"):
        assert client.get(url).status_code == 200, url
    assert client.get(f"/en/projects/new/?group={group.slug}").status_code == 200

    data = {"title": "Solar clinics", "problem": "Clinics lose power.", "region": "asia"}
    response = client.post("/en/projects/new/", data)  # no group chosen
    html = response.content.decode()
    assert response.status_code == 400 and "Choose one of your groups." in html
    assert "Solar clinics" in html

    edit = f"/en/projects/{idea.pk}/edit/"
    response = client.post(edit, {**data, "title": ""})
    assert response.status_code == 400 and "Clinics lose power." in response.content.decode()
    response = client.post(edit, {**data, "topics": ["energy-efficiency"]})
    assert response.status_code == 302 and response["Location"] == f"/en/projects/{idea.pk}/"
    idea.refresh_from_db()
    assert idea.title == "Solar clinics" and idea.topics == ",energy-efficiency,"
    outsider = UserFactory()
    MembershipFactory(group=group, user=outsider)
    client.force_login(outsider)
    assert client.post(edit, {**data, "title": "Hijacked"}).status_code == 403
    idea.refresh_from_db()
    assert idea.title == "Solar clinics"

    client.force_login(lead)
    results = f"/en/projects/{idea.pk}/results/"
    response = client.post(results, {"results": "Bills halved.", "lessons_learned": "Ask early."})
    html = response.content.decode()
    assert response.status_code == 400 and "once the project has been evaluated" in html
    assert "Bills halved." in html
    for stage in PATH:
        project_idea_set_stage(idea=idea, stage=stage, by=lead)
    response = client.post(results, {"results": "Bills halved.", "lessons_learned": "Ask early."})
    assert response.status_code == 302
    assert "Bills halved." in client.get(f"/en/projects/{idea.pk}/").content.decode()


def test_funding_amounts_are_grouped_in_the_readers_language(client, knowledge_pages):
    FundingOpportunityFactory(programme="Big call", amount_min=50000, amount_max=2000000)
    assert "50,000–2,000,000 EUR" in client.get("/en/funding/").content.decode()
    assert "50.000–2.000.000 EUR" in client.get("/de/funding/").content.decode()
