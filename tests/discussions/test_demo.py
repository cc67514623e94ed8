"""The demo seed is idempotent and shows every feature (threads in several languages,
nesting, reactions, and the moderation examples)."""

from demo import discussions as demo
from discussions.models import Post, Report, Thread
from groups.models import Membership
from tests.factories import GroupFactory

from .conftest import make_member


def test_seed_is_idempotent_and_rich(db):
    for slug in demo.THREADS:
        group = GroupFactory(slug=slug, name=slug.replace("-", " ").title())
        make_member(group, role=Membership.Role.OWNER)
        make_member(group, role=Membership.Role.MODERATOR)
        for _ in range(3):
            make_member(group)
    demo.seed()
    counts = (Thread.objects.count(), Post.objects.count(), Report.objects.count())
    demo.seed()
    assert (Thread.objects.count(), Post.objects.count(), Report.objects.count()) == counts
    assert counts[0] == sum(len(specs) for specs in demo.THREADS.values())
    assert Post.objects.filter(depth__gte=4).exists()  # real nesting
    assert set(Post.objects.values_list("language", flat=True)) >= {
        "en",
        "fr",
        "es",
        "pt",
        "de",
        "ar",
    }
    assert Post.objects.exclude(reaction_counts={}).exists()
    assert Post.objects.filter(hidden_at__isnull=False).exists()
    assert Post.objects.filter(status="pending").exists()
    assert (
        Thread.objects.filter(pinned=True).exists() and Thread.objects.filter(locked=True).exists()
    )
    assert Thread.objects.exclude(slow_mode_seconds=0).exists()
    assert Report.objects.filter(status="open").exists()
