"""Every string a worker reads is translated, with the same placeholders."""

import re

from locales.catalogs import missing, read, template


def test_indonesian_catalog_translates_every_message_in_the_code() -> None:
    assert missing("id") == []


def test_placeholders_match() -> None:
    catalog = read("id")
    for message in template():
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        found = catalog.get(message.id)
        assert found is not None
        strings = found.string if isinstance(found.string, tuple) else (found.string,)
        expected = set(re.findall(r"\{(\w+)\}", ids[0]))
        for string in strings:
            assert set(re.findall(r"\{(\w+)\}", string)) == expected, message.id


def test_no_stale_entries() -> None:
    used = {m.id for m in template() if m.id}
    assert [m.id for m in read("id") if m.id and m.id not in used] == []
