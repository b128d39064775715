"""One search over every dossier an officer may see, in any state and of any date (issue 8 item 10).

The box takes what an officer has at hand: a dossier code, the applicant's name or identification
number typed with or without diacritics, or the receipt's look-up link pasted or read by a QR
scanner (`…/tra-cuu/?ma=<code>&ma_tra_cuu=<secret>`). Whatever is typed, only the dossiers of
`selectors.visible_dossiers` are searched (R-26): a pasted link never shows more than the code typed
by hand would, and the secret in it is not used.

Written for the indexes: a code is matched by the unique index on `code`; words by `search_text`
(folded code, name and number, core.text.fold), which PostgreSQL answers through the trigram GIN
index of migration 0002. A page is cut with LIMIT, one row more than shown, and never counted:
counting every "nguyen" of a province would read the whole index.
"""

import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from django.db.models import QuerySet

from motcua.core.text import fold, search_folded
from motcua.dossiers import transfers
from motcua.dossiers.models import Dossier
from motcua.dossiers.queues import ROW_DEFERRED, ROW_RELATED
from motcua.dossiers.selectors import visible_dossiers

PER_PAGE = 25
MAX_PAGE = 200
MAX_QUERY = 200
# The trigram index needs three characters to narrow anything down.
MIN_WORDS_LENGTH = 3
# <agency code>-<YYMMDD>-<NNNN> (dossiers.codes); legacy codes imported under R-09 keep their own
# shape, so a code is also recognised by being one word with digits and a dash.
CODE_SHAPE = re.compile(r"^[0-9A-Za-z.]+-\d{6}-\d{4,}$")


@dataclass(frozen=True)
class SearchQuery:
    text: str  # what was typed, trimmed
    code: str  # a dossier code read from a pasted look-up link or typed as such; "" otherwise
    from_link: bool  # the code came out of a look-up link: search nothing else


def parse(text: str) -> SearchQuery:
    """Recognise a look-up link (whole or without its scheme, as some scanners give it) or a code."""
    text = " ".join(text.split())[:MAX_QUERY]
    if "ma=" in text and ("tra-cuu" in text or "://" in text or text.startswith("?")):
        query = urlsplit(text if "://" in text else "http://x/" + text.lstrip("/")).query
        codes = parse_qs(query).get("ma", [])
        code = codes[0].strip() if codes else ""
        return SearchQuery(text=text, code=code, from_link=True)
    if CODE_SHAPE.match(text):
        return SearchQuery(text=text, code=text.upper(), from_link=False)
    return SearchQuery(text=text, code="", from_link=False)


@dataclass(frozen=True)
class SearchPage:
    query: SearchQuery
    rows: list[Dossier]
    number: int
    per_page: int
    has_next: bool
    too_short: bool = False

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def single(self) -> Dossier | None:
        """The one dossier a code or a look-up link found: the page goes straight to it."""
        if (self.query.code or self.query.from_link) and self.number == 1 and len(self.rows) == 1:
            return self.rows[0]
        return None


def _rows(qs: QuerySet[Dossier]) -> QuerySet[Dossier]:
    # The work queues' rows: the same joins, and the procedure's long texts left unread.
    return qs.select_related(*ROW_RELATED).defer(*ROW_DEFERRED).order_by("-submitted_at", "-pk")


def search_dossiers(user, text: str, *, page: int = 1, per_page: int = PER_PAGE) -> SearchPage:
    """A page of the dossiers `user` may see that match `text`, the latest submitted first.

    One query for the page when a code matches (the unique index), two when a code-like text is no
    code of a visible dossier and the words are searched instead.
    """
    query = parse(text)
    page = max(1, min(page, MAX_PAGE))
    start = (page - 1) * per_page
    visible = visible_dossiers(user)
    found: list[Dossier] = []
    if query.code:
        found = list(_rows(visible.filter(code=query.code))[start : start + per_page + 1])
    if query.from_link or found:
        return SearchPage(query, found[:per_page], page, per_page, has_next=len(found) > per_page)
    if len(fold(query.text).replace(" ", "")) < MIN_WORDS_LENGTH:
        return SearchPage(query, [], page, per_page, has_next=False, too_short=bool(query.text))
    matching = search_folded(visible, "search_text", query.text)
    # A merged unit's old code or name finds what it received, decided or handed over to its
    # successor (REGULATIONS §0.2); one more small query, on the units that have a successor.
    old_units = transfers.merged_unit_ids(query.text)
    if old_units:
        matching = matching | visible.filter(transfers.of_units(old_units))
    found = list(_rows(matching)[start : start + per_page + 1])
    return SearchPage(query, found[:per_page], page, per_page, has_next=len(found) > per_page)
