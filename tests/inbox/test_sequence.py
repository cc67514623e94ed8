"""A member's notification numbers follow COMMIT order and have no gaps (issue 11).

Two transactions that notify the same member cannot interleave their numbers: the
second waits on the member's cursor row until the first commits, then takes the next
number; a transaction that rolls back gives its number back. The websocket client's
cursor ("everything up to C") relies on exactly this.
"""

import threading
import time

import pytest
from django.db import connection, connections, transaction

from inbox import services
from inbox.models import Kind, Notification, NotificationCursor
from tests.factories import UserFactory


def notify(recipient, actor) -> int:
    batch = services.notifications_send(
        recipients={recipient.pk: Kind.MENTION},
        subject=services.Subject(actor=actor, data={"actor": "x", "thread": "t"}),
    )
    return batch.sent[0].pk


@pytest.mark.django_db
def test_numbers_are_gapless_and_a_rollback_gives_its_number_back():
    member, actor = UserFactory(), UserFactory()
    notify(member, actor)

    class Abort(Exception):
        pass

    with pytest.raises(Abort), transaction.atomic():
        notify(member, actor)
        raise Abort
    notify(member, actor)
    mine = Notification.objects.filter(recipient=member).order_by("id")
    seqs = list(mine.values_list("seq", flat=True))
    assert seqs == [1, 2]
    assert NotificationCursor.objects.get(user=member).last_seq == 2


@pytest.mark.django_db
def test_one_statement_numbers_every_recipient_whatever_their_number(django_assert_num_queries):
    actor = UserFactory()
    few, many = [UserFactory() for _ in range(3)], [UserFactory() for _ in range(30)]
    for people in (few, many):
        with django_assert_num_queries(1):
            numbers = NotificationCursor.objects.advance(u.pk for u in people)
        assert numbers == {u.pk: 1 for u in people}
    assert NotificationCursor.objects.advance([few[0].pk, actor.pk]) == {few[0].pk: 2, actor.pk: 1}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks: PostgreSQL")
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("first_commits", [True, False], ids=["commit", "rollback"])
def test_a_concurrent_fan_out_waits_and_takes_the_next_number(first_commits):
    member, actor = UserFactory(), UserFactory()
    inserted, release, second_done = threading.Event(), threading.Event(), threading.Event()
    result: dict = {}

    def first():
        try:
            with transaction.atomic():
                result["first"] = notify(member, actor)
                inserted.set()
                release.wait(10)
                if not first_commits:
                    raise RuntimeError("rolled back")
        except RuntimeError:
            pass
        finally:
            connections.close_all()

    def second():
        try:
            inserted.wait(10)
            with transaction.atomic():
                result["second"] = notify(member, actor)
            second_done.set()
        finally:
            connections.close_all()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    assert inserted.wait(10)
    time.sleep(0.5)
    assert not second_done.is_set()  # it waits on the member's cursor row
    release.set()
    for t in threads:
        t.join(20)
    assert second_done.is_set()
    rows = dict(Notification.objects.filter(recipient=member).values_list("id", "seq"))
    if first_commits:
        assert rows == {result["first"]: 1, result["second"]: 2}
    else:
        assert rows == {result["second"]: 1}  # the rolled-back number was given back
