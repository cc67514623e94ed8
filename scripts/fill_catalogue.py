"""Fill a catalogue's msgstrs from a Python dict file: {msgid: (de, fr, es, pt, ar)}.

Development helper: `python scripts/fill_catalogue.py <locale dir> <translations.py>`.
Only fills entries that are empty or fuzzy; reports what is still missing.
"""

import runpy
import sys
from pathlib import Path

import polib

ORDER = ["de", "fr", "es", "pt", "ar"]


def main(locale_dir: str, table_file: str) -> int:
    table = runpy.run_path(table_file)["T"]
    missing = 0
    for index, language in enumerate(ORDER):
        path = Path(locale_dir) / language / "LC_MESSAGES" / "django.po"
        po = polib.pofile(str(path))
        po.metadata["Language"] = language
        po.metadata["Content-Type"] = "text/plain; charset=UTF-8"
        for entry in po:
            if entry.obsolete:
                continue
            if entry.translated() and "fuzzy" not in entry.flags:
                continue
            row = table.get(entry.msgid)
            if row is None:
                print(f"{language}: missing {entry.msgid!r}")
                missing += 1
                continue
            if entry.msgid_plural:
                # A list gives every plural form (Arabic has six); a tuple (one, other).
                value = row[index]
                count = len(entry.msgstr_plural) or 2
                if isinstance(value, list):
                    entry.msgstr_plural = {i: value[min(i, len(value) - 1)] for i in range(count)}
                else:
                    singular, plural = value if isinstance(value, tuple) else (value, value)
                    entry.msgstr_plural = {
                        i: (singular if i == 0 else plural) for i in range(count)
                    }
            else:
                entry.msgstr = row[index]
            if "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
            entry.previous_msgid = None
        po.save()
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
