"""Generate clean-cases.json: how OpenAI CLIP's tokenizer cleans tricky text, from the real libraries.

Each case is {"text", "clean"} with clean = whitespace_clean(basic_clean(text)).lower(), i.e.
ftfy.fix_text -> html.unescape twice -> strip -> collapse `\\s+` (the `regex` module's) -> strip -> lower,
the steps of simple_tokenizer.py. Mojibake repair is left out of the cases on purpose (not ported).

It also writes fuzz-clean-cases.json: 1000 random strings of tricky pieces (entities, quotes, ligatures, wide
forms, controls, surrogates, line breaks) cleaned with ftfy's mojibake repair switched off
(`fix_encoding=False`), the one part of ftfy that is not ported.

Run: PYTHONPATH=<dir with ftfy 6 and wcwidth> python3 reference/generate_clean_cases.py
"""
import html
import json
import pathlib
import random

import ftfy
import regex

CASES = [
    "plain text", "  Leading and trailing  ", "UPPER lower MiXeD",
    "&amp; &lt;3 &gt; &quot;q&quot; &#39;s", "&amp;amp;amp;amp; deep", "&ampfoo &lt3 &copy2024", "this&not that",
    "P&EACUTE;REZ &NTILDE;", "&#x41;&#66;&#x1F436; &#128054;", "&#0; &#13; &#128; &#150; &#1; &#xD800; &#99999999;",
    "&unknown; &;", "<b>bold</b> &amp; &lt;", "first line &amp;\nsecond <i> &amp;\nthird &amp;",
    "“curly” ‘quotes’ ‚low„ ʼmodifier‛", "ﬁne ﬂower oﬃce ĳssel ǅ",
    "ＦＵＬＬ　ｗｉｄｔｈ　１２３！", "ｶﾀｶﾅ half", "\u3000ideographic\u3000space",
    "tab\tnew\nline\r\ncrlf\rcr", "nel\x85sep\u2028par\u2029", "nbsp\xa0thin\u2009narrow\u202f",
    "zero\u200bwidth", "bom\ufeffhere", "ctrl\x01\x07\x0b\x1b[31mred\x1b[0m\x7f",
    "c1 \x80 \x91x\x92 \x96 \x9f", "e\u0301 composed", "A\u030a ring", "Ǆ dž Ǉ",
    "İstanbul ΟΔΟΣ ß ﬀ", "emoji 👍🏽 family 👨‍👩‍👧", "日本語 テキスト", "مرحبا بالعالم",
    "deprecated\u206aarabic\u206f", "interlinear\ufff9a\ufffbb\ufffc", "form\x0cfeed", "\x1c\x1d\x1e\x1f separators",
    "   ", "", "&#x3c;tag&#x3e; later <", "it’s the man’s hat", "l’homme", "dont’t",
]


def clean(text, **ftfy_options):
    text = html.unescape(html.unescape(ftfy.fix_text(text, **ftfy_options))).strip()
    return regex.sub(r"\s+", " ", text).strip().lower()


out = pathlib.Path(__file__).resolve().parent / "clean-cases.json"
cases = [{"text": t, "clean": clean(t)} for t in CASES]
out.write_text(json.dumps({"ftfy": ftfy.__version__, "cases": cases}, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
print(f"wrote {out} ({len(cases)} cases, ftfy {ftfy.__version__})")

PIECES = list("aZ &;#<>x1'\"\n\r\t ") + [
    "&amp;", "&lt;", "&#39;", "&#x41;", "&EACUTE;", "&nbsp;", "&not", "&copy", "\u2019", "\u201c", "\ufb01",
    "\uff21", "\u3000", "\x85", "\x92", "\u2028", "\x1b[1m", "\x07", "\ufeff", "e\u0301", "\u00a0", "\u200b",
    "\u0130", "\u03a3", "\u00df", "\u65e5", "\U0001f436", "\ud83d", "&#128054;", "&#xD83D;", "\x0b", "\x0c", "\x1c",
]
rng = random.Random(1)
fuzz = []
for _ in range(1000):
    text = "".join(rng.choice(PIECES) for _ in range(rng.randint(0, 12)))
    fuzz.append({"text": text, "clean": clean(text, fix_encoding=False)})
out = pathlib.Path(__file__).resolve().parent / "fuzz-clean-cases.json"
# ensure_ascii keeps lone surrogates representable in JSON.
out.write_text(json.dumps({"ftfy": ftfy.__version__, "fix_encoding": False, "cases": fuzz}, ensure_ascii=True) + "\n")
print(f"wrote {out} ({len(fuzz)} cases)")
