"""Long texts become several short messages; the question's buttons stay on the last one."""

from datetime import UTC, datetime

from conversations import Context, Incoming, Kind, Option, Session, default_rules
from conversations.model import MAX_MESSAGE_CHARS
from conversations.turn import Turn, split_message


def test_short_text_is_one_message() -> None:
    assert split_message("Halo") == ["Halo"]


def test_split_at_paragraphs_then_lines_then_words() -> None:
    paragraphs = "\n\n".join(["a" * 400, "b" * 400, "c" * 100])
    assert split_message(paragraphs) == ["a" * 400, "b" * 400 + "\n\n" + "c" * 100]
    words = " ".join(["kata"] * 400)
    parts = split_message(words)
    assert all(len(p) <= MAX_MESSAGE_CHARS for p in parts) and " ".join(parts) == words
    assert split_message("x" * 1300) == ["x" * 600, "x" * 600, "x" * 100]


def test_options_go_with_the_last_part() -> None:
    now = datetime(2026, 11, 21, tzinfo=UTC)
    ctx = Context(now=now, today=now.date(), rules=default_rules(), new_id="s", new_reference="r")
    turn = Turn(
        Session(id="s", flow_version=1, step="occupation"),
        Incoming("test", "u", "m", Kind.TEXT),
        ctx,
    )
    turn.note("Catatan.")
    turn.say("\n\n".join(["a" * 500, "b" * 500]), [Option("ok", "OK")])
    assert [r.text[:10] for r in turn.replies] == ["Catatan.\n\n", "b" * 10]
    assert turn.replies[0].options == () and turn.replies[1].options == (Option("ok", "OK"),)
