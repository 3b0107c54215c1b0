"""Truth tables shared by the Python rules' unit tests and their JavaScript twins' browser tests.

Every expected value is written out by hand from what a reader should see, never copied from the code.
"""

from __future__ import annotations

from elip_map.rules.text import fold

LOC = {"types": ["language-training", "employment"], "langs": ["ar", "en"], "hood": "1010",
       "text": fold("Newcomer Centre Language centre English classes (LINC) Café Santé"),
       "hours": [[1, 540, 1020], [3, 570, 720]]}
NO_HOURS = {**LOC, "hours": []}

# (props, criteria, expected, why)
TRUTH_TABLE = [
    (LOC, {}, True, "no filters: everything"),
    (LOC, {"types": ["employment"]}, True, "one of its types"),
    (LOC, {"types": ["food", "employment"]}, True, "any selected type is enough"),
    (LOC, {"types": ["food"]}, False, "a type it lacks"),
    (LOC, {"langs": ["ar"]}, True, "a language spoken"),
    (LOC, {"langs": ["so", "ti"]}, False, "languages not spoken"),
    (LOC, {"types": ["employment"], "langs": ["so"]}, False, "facets combine with AND"),
    (LOC, {"hood": "1010"}, True, "its neighbourhood"),
    (LOC, {"hood": "2020"}, False, "another neighbourhood"),
    (LOC, {"q": "english"}, True, "a word"),
    (LOC, {"q": "Englsh clases"}, True, "two typos, one per word"),
    (LOC, {"q": "engl"}, True, "a prefix"),
    (LOC, {"q": "cafe sante"}, True, "accents ignored"),
    (LOC, {"q": "CAFÉ"}, True, "case and accents in the query ignored"),
    (LOC, {"q": "linc"}, True, "inside brackets"),
    (LOC, {"q": "french"}, False, "a word it does not contain"),
    (LOC, {"q": "lic"}, False, "words under 4 letters allow no typo"),
    (LOC, {"q": "lnic"}, True, "4 letters allow one typo"),
    (LOC, {"day": 1}, True, "open on Monday"),
    (LOC, {"day": 2}, False, "closed on Tuesday"),
    (NO_HOURS, {"day": 1}, False, "unknown hours do not match a day"),
    (LOC, {"open_now": True, "now": {"weekday": 1, "minutes": 600}}, True, "Monday 10:00"),
    (LOC, {"open_now": True, "now": {"weekday": 1, "minutes": 1020}}, False, "closes at 17:00 sharp"),
    (LOC, {"open_now": True, "now": {"weekday": 3, "minutes": 569}}, False, "one minute before opening"),
    (NO_HOURS, {"open_now": True, "now": {"weekday": 1, "minutes": 600}}, False, "unknown hours are not 'open now'"),
    ({"types": [], "langs": [], "text": ""}, {"types": ["food"]}, False, "a listing with no types"),
    # The query in the reader's words names a type or a language (q_types/q_langs, from the page's phrase table).
    (LOC, {"q": "clases de ingles", "q_types": ["language-training"], "q_langs": []}, True, "query names one of its types"),
    (LOC, {"q": "banco de alimentos", "q_types": ["food"], "q_langs": []}, False, "query names a type it lacks"),
    (LOC, {"q": "عربي", "q_types": [], "q_langs": ["ar"]}, True, "query names a language it speaks"),
    (LOC, {"q": "صومالي", "q_types": [], "q_langs": ["so"]}, False, "query names a language it does not speak"),
    (LOC, {"q": "english", "q_types": ["food"], "q_langs": []}, True, "its own text still matches"),
    (LOC, {"q": "clases de ingles", "q_types": ["language-training"], "types": ["food"]}, False,
     "the named type does not override the type filter"),
    # "Who I am": statuses served at the location; unknown eligibility stays visible ("ask about eligibility").
    ({**LOC, "elig": ["permanent-resident"]}, {"status": "permanent-resident"}, True, "a status served"),
    ({**LOC, "elig": ["permanent-resident"]}, {"status": "refugee-claimant"}, False, "a status not served"),
    ({**LOC, "elig": ["everyone"]}, {"status": "visitor"}, True, "open to everyone"),
    ({**LOC, "elig_unknown": 1}, {"status": "refugee-claimant"}, True, "unknown eligibility stays visible"),
    ({**LOC, "elig": ["permanent-resident"], "elig_unknown": 1}, {"status": "visitor"}, True,
     "another service there has unknown eligibility"),
    ({**LOC, "elig": ["protected-person"]}, {"status": None}, True, "no status chosen"),
    ({**LOC, "elig": ["refugee-claimant"]}, {"status": "refugee-claimant", "types": ["food"]}, False,
     "status and type combine with AND"),
]


# Text keys, written out by hand: the Python rule and its browser twin must give exactly these.
FOLD_TABLE = [
    ("Café-Santé", "cafe sante"), ("  LINC (English) ", "linc english"), (None, ""), ("Wîhkwêntôwin", "wihkwentowin"),
    ("10160 - 112 St.", "10160 112 st"),
    # Every script is kept: names in Arabic, Chinese, Punjabi, Amharic, Ukrainian are keys, not blanks.
    ("جمعية الجالية العربية", "جمعيه الجاليه العربيه"),  # teh marbuta read as heh, as people type it
    ("عربى", "عربي"), ("أحمد", "احمد"), ("عَرَبِيّ", "عربي"),  # alef maksura, hamza seat, short vowels
    ("فارسی", "فارسي"),  # Persian yeh finds Arabic yeh
    ("英语课", "英 语 课"), ("埃德蒙顿华人服务中心 2", "埃 德 蒙 顿 华 人 服 务 中 心 2"), ("ਅੰਗਰੇਜ਼ੀ ਕਲਾਸਾਂ", "ਅੰਗਰੇਜ਼ੀ ਕਲਾਸਾਂ"), ("አማርኛ ትምህርት", "አማርኛ ትምህርት"),
    ("Курси Англійської", "курси англіиськоі"),
]


# Hours as people read them, written out by hand: the card's Python rule and its browser twin agree.
DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
HOURS_TABLE = [
    ([], ""),
    ([[1, 540, 1020]], "Mon 9:00–17:00"),
    ([[1, 540, 720], [1, 780, 1020], [6, 605, 1439]], "Mon 9:00–12:00, Mon 13:00–17:00, Sat 10:05–23:59"),
    ([[7, 0, 1440]], "Sun 0:00–24:00"),
]


# The name search in the reader's words: a tiny phrase table written by hand, and what each query names
# (elip_map/rules/filters.py named_concepts and its browser twin namedConcepts).
PHRASE_TABLE = [["language training", "t", "language-training"], ["clases de ingles", "t", "language-training"],
                ["英 语 课", "t", "language-training"], ["food bank", "t", "food"], ["عربي", "l", "ar"],
                ["العربيه", "l", "ar"], ["somali", "l", "so"]]
NAMED_TABLE = [
    ("clases de inglés", {"types": ["language-training"], "langs": []}),
    ("clase ingles", {"types": ["language-training"], "langs": []}),  # words in any order, a typo
    ("课 英语", {"types": ["language-training"], "langs": []}),  # Chinese is searched character by character
    ("英语课程", {"types": [], "langs": []}),  # a character the phrase lacks
    ("عربى", {"types": [], "langs": ["ar"]}),  # alef maksura typed for yeh
    ("food", {"types": ["food"], "langs": []}),
    ("clases de cocina", {"types": [], "langs": []}),  # not every word is in one phrase
    ("a", {"types": [], "langs": []}),  # one letter names nothing
    ("", {"types": [], "langs": []}),
]
