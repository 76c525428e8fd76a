"""Compose the answer from the reranked passages: decide whether the reports answer at all,
pick the answering sentence(s), quote them with [n] markers and list the citations.

The reranker (``rerank.py``) scores every sentence of the top passages; the best sentence is
the answer and the highlight, and the page of a citation is the page that sentence stands
on. Below a calibrated score, where the answering page lacks a name or number the question
pins its answer to, or where the answer gives no figure of the kind asked for, the reply is
"the reports don't say", with the closest passages listed as related reading.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

import numpy as np

from .answer_params import AnswerParams
from .embedding import Embedder
from .figures import DATE, FUNDER, MONEY, compared_years, counted_group, holds, years
from .lexical import one_line
from .pins import constraints
from .replies import NO_ANSWER_TEXT, listed_sources, no_answer_text, what_is_missing
from .rerank import Scored, rerank, unmet_pins
from .retrieval import Candidate, Retriever
from .sentences import (
    figure_bonus,
    figure_request,
    is_broad,
    is_heading,
    says_something,
    sentence_spans,
)
from .table_rows import TableRow, givers, names_written, row_for, sentence_after, tabled_sum_for
from .types import Citation


def compose_answer(
    question: str,
    question_terms: list[str] | dict[str, float],
    vector: np.ndarray,
    candidates: list[Candidate],
    retriever: Retriever,
    embedder: Embedder,
    top_k: int,
    params: AnswerParams,
    timings: dict[str, float],
    *,
    equivalents: Sequence[tuple[str, str]] = (),
    earlier: str | None = None,
) -> tuple[bool, str, list[Citation], float]:
    """(answered, answer text with [n] markers, citations best first, confidence). The
    confidence is the best sentence's score, the figure the no-answer threshold is
    held against. The reports answer only if it clears the threshold and the page of the
    best sentence holds every name and number the question pins its answer to
    (``equivalents``: glossary pairs, so "UNDP" on the page satisfies "United Nations
    Development Programme" in the question). ``earlier``: the earlier question of a
    follow-up that leans on it; its names and numbers order the top passages, and the
    sentence that answered it counts less.
    """
    started = time.perf_counter()
    quotable = max(top_k, params.funder_depth, 3)  # the passages an answer may quote
    listed = max(2 * top_k if params.one_per_page else top_k, quotable)  # room for other pages
    scored = rerank(
        question,
        question_terms,
        vector,
        candidates,
        retriever,
        embedder,
        listed,
        params,
        equivalents=equivalents,
        earlier=earlier,
    )
    timings["rerank"] = time.perf_counter() - started
    if not scored:
        return False, NO_ANSWER_TEXT, [], 0.0
    wanted, question_numbers, focus = figure_request(question, equivalents)
    asked_years = years(question)

    started = time.perf_counter()
    ranked = scored[:listed]  # best first; the first top_k are ranked
    if earlier and params.earlier_constraint_depth > 1:
        for n, item in enumerate(ranked[: params.earlier_constraint_depth]):
            if not unmet_pins(earlier, item, retriever, equivalents, params):
                ranked.insert(0, ranked.pop(n))
                break
    threshold = params.followup_threshold if earlier else params.answer_threshold
    answered = ranked[0].best_score >= threshold
    reason = ""
    if answered and params.check_constraints:
        # The first of the top passages whose page shows the question's names and numbers
        # (and, asked alone, one of its words) answers, if its best sentence clears the
        # threshold; none: a near miss, whose reason is what the first lacks (the related
        # reading may show it elsewhere). A follow-up looks deeper: the earlier question pulls
        # its own answer first, and what it swaps in ("… in 2019?") is often on the next page.
        depth = max(params.constraint_depth, params.followup_constraint_depth if earlier else 0)
        # A name of two words and more that the first page lacks ("Eduart Caka", "the
        # European Union Rule of Law Mission") is looked for a little deeper.
        long_names = {
            " ".join(c.words)
            for c in constraints(question)
            if not c.is_number and sum(w[:1].isupper() for w in c.words) >= 2
        }
        name_depth = params.name_depth if long_names else 0
        fits, missing = [], []
        # a report's year: its title's, or else its date ("OSCE Aids Kosovo Police …", 2023)
        dated: dict[str, set[str]] = {}
        if params.report_year and asked_years:
            ids = {item.candidate.row.document_id for item in ranked[: params.title_year_depth]}
            documents = retriever.store.documents(sorted(ids))
            dated = {d.path: {str(d.year)} for d in documents if d.year}
        for n, item in enumerate(ranked[: max(depth, params.title_year_depth, name_depth)]):
            by_name = n < name_depth and bool(long_names & set(missing))
            row = item.candidate.row
            of_year = years(row.title) | dated.get(row.document, set())
            if n >= depth and not (asked_years & of_year) and not by_name:
                continue
            if item.best_score >= threshold:
                unmet = unmet_pins(
                    question, item, retriever, equivalents, params, subject=not earlier
                )
                if not unmet:
                    fits.append(n)
                missing = missing or unmet
        answered = bool(fits)
        if fits and fits[0]:
            ranked.insert(0, ranked.pop(fits[0]))
        if missing and not answered:
            names = ", ".join(f"“{m}”" for m in missing)
            topic = "" if all(map(str.islower, missing)) else " is on the topic but"
            reason = f"The passage that best fits the question{topic} does not mention {names}."
    cited = ranked[:quotable]  # however few sources are shown, the answer is the same
    citations = []  # for every ranked passage; listed_sources picks the top_k shown
    for n, item in enumerate(ranked, start=1):
        span = item.spans[item.quoted]
        citations.append(Citation.of(n, item.candidate.row, span, item.candidate.score))
    best = cited[0]

    def shown(quoted: Sequence[int] = ()) -> list[Citation]:
        return listed_sources(citations, quoted, top_k, params.one_per_page)

    if not answered:
        timings["answer"] = time.perf_counter() - started
        return False, no_answer_text(reason), shown(), best.best_score
    a, b = best.spans[best.quoted]
    best_row = best.candidate.row
    checks_type = params.check_answer_type and wanted is not None
    group = counted_group(question)

    tables_above: dict[int, str] = {}  # a window a table runs on into: the text above it

    def above(text: str, n: int) -> str:
        """The text of cited passage ``n`` before its sentence ``text``: where a table states
        the currency of the sums its rows give ("Amount (US$)")."""
        passage = cited[n - 1].candidate.row.text
        return tables_above.get(n, "") + passage[: max(passage.find(text), 0)]

    def answers(text: str, n: int = 1) -> bool:
        """Whether ``text``, a sentence of cited passage ``n``, states the figure asked for,
        and not for another year only ("in 2024, 16,500 children" does not say how many in
        2023)."""
        context = above(text, n)
        if not holds(text, wanted, question_numbers, group=group or False, context=context):
            return False
        if params.check_year and asked_years:
            stated = years(text)
            if params.compared_years_pass:
                return not stated - compared_years(text) or bool(stated & asked_years)
            return not stated or bool(stated & asked_years)
        return True

    if (
        checks_type
        and not answers(best_row.text[a:b])
        and not holds(best_row.text[a:b], wanted, question_numbers, group=group or False)
    ):
        # "…uncovered nearly 3,000 non-active posts. This freed up US$3.5 million …": the
        # figure asked for often stands in the next sentence; it joins the answer (not after
        # a sentence giving another year's figure: "In 2024, UNFPA established 94 new
        # partnerships" does not answer for 2023 because the next names 2023).
        following = best.quoted + 1
        if following < len(best.spans):
            a1, b1 = best.spans[following]
            if answers(best_row.text[a1:b1]):
                b = b1
                citations[0].highlight = [(a, b)]
    quotes = [(best_row.text[a:b], 1)]  # (sentence, its citation's number)
    best_span = (best_row.start + a, best_row.start + b)

    def overlaps_best(item: Scored) -> bool:
        """Whether a passage is a window overlapping the best one (the same text)."""
        row = item.candidate.row
        return (
            row.document_id == best_row.document_id
            and row.start < best_row.end
            and best_row.start < row.end
        )

    def repeats_best(item: Scored, index: int) -> bool:
        """Whether a sentence is the best one again (an overlapping window repeats it)."""
        row = item.candidate.row
        start, end = (row.start + item.spans[index][0], row.start + item.spans[index][1])
        same_place = (
            row.document_id == best_row.document_id
            and start < best_span[1]
            and (end > best_span[0])
        )
        return same_place or item.sentence(index) in best_row.text[a:b]

    def highlight(n: int, i: int) -> None:
        """Highlight sentence ``i`` of citation ``n`` as well (a quote joins the answer)."""
        span = cited[n - 1].spans[i]
        if span not in citations[n - 1].highlight:
            citations[n - 1].highlight.append(span)
            citations[n - 1].highlight.sort()

    # Runner-up sentences join the answer if they score nearly as well and, like the best,
    # stand where the question's names and numbers are (not another year's figure): one for
    # a question after a fact, more, each from another passage, for a broad question ("What
    # does the Mission do to fight trafficking?"), whose answer is several points.
    broad = is_broad(question)
    extra, ratio = 1, params.second_sentence_ratio
    if broad:
        extra, ratio = params.broad_quotes - 1, params.broad_ratio
    runners_up = sorted(  # best first; on a tie (overlapping windows), the higher passage
        (
            (score, n, i)
            for n, item in enumerate(cited[:3], start=1)
            for i, score in enumerate(item.sentence_scores)
            if not repeats_best(item, i) and score >= ratio * best.best_score
        ),
        key=lambda r: (-round(r[0], 3), r[1], r[2]),
    )
    quoted_passages = {1}
    for _, n, i in runners_up:
        if len(quotes) > extra:
            break
        if broad and n in quoted_passages:
            continue
        runner = cited[n - 1].sentence(i)
        said = one_line(runner) in {one_line(q) for q, _ in quotes}
        if said or is_heading(runner) or not says_something(runner):
            continue  # a heading is no point of its own, nor a footnote's bare "43.", nor a
            # sentence said already
        if params.check_constraints and unmet_pins(
            question, cited[n - 1], retriever, equivalents, params, i
        ):
            continue
        quotes.append((runner, n))
        quoted_passages.add(n)
        highlight(n, i)

    names = [" ".join(c.words) for c in constraints(question) if not c.is_number]

    def admit(row: TableRow) -> int:
        """The number of the cited passage that holds ``row``: a window below the cited few
        that a table runs on into is cited after them, its text above kept for ``above``."""
        ids = [item.candidate.row.id for item in ranked]
        if row.passage.id in ids[: len(cited)]:
            n = ids.index(row.passage.id) + 1
            tables_above[n] = row.above
            return n
        if row.passage.id in ids:
            k = ids.index(row.passage.id)
            item, citation = ranked.pop(k), citations.pop(k)
        else:
            spans = sentence_spans(row.passage.text)
            item = Scored(Candidate(row.passage.id, row=row.passage), spans, [0.0] * len(spans))
            citation = Citation.of(0, row.passage, row.span, 0.0)
        ranked.insert(len(cited), item)
        citations.insert(len(cited), citation)
        cited.append(item)
        for number, listed_citation in enumerate(citations, start=1):
            listed_citation.n = number
        tables_above[len(cited)] = row.above
        return len(cited)

    def sum_in_row(text: str, n: int) -> bool:
        """Whether ``text`` is a table row of cited passage ``n`` giving the sum asked for:
        "Norway 4,678,581" below "Amount (US$)" for "How much did Norway contribute …?"."""
        return wanted == MONEY and tabled_sum_for(text, above(text, n), names)

    def supplies(quote: tuple[str, int]) -> bool:
        """Whether a quote states the figure asked for. Another passage's figure must count
        what the question names ("151 officers", "41 women", a table's "Norway 4,678,581"):
        "32 involve senior officials" does not answer how many new matters were registered."""
        text, n = quote
        if not answers(text, n):
            return False
        return (
            n == 1
            or overlaps_best(cited[n - 1])
            or group is not None
            or (figure_bonus(text, wanted, question_numbers, focus) >= 1.0)
            or sum_in_row(text, n)
            or n == continued
        )

    continued = 0  # the citation of the sentence after the best, from the next window

    if wanted == FUNDER and checks_type and not any(supplies(q) for q in quotes):
        # "The activities were funded through contributions from Germany and Norway" seldom
        # repeats what was funded: it may score well below the best sentence.
        found = [
            (score, n, i)
            for n, item in enumerate(cited[: params.funder_depth], start=1)
            for i, score in enumerate(item.sentence_scores)
            if score >= params.funder_ratio * best.best_score
            and not repeats_best(item, i)
            and supplies((item.sentence(i), n))
            and not (
                params.check_constraints
                and unmet_pins(question, item, retriever, equivalents, params, i)
            )
        ]
        if found:
            _, n, i = max(found)
            quotes = [quotes[0], (cited[n - 1].sentence(i), n)]
            highlight(n, i)
    holding = None
    if checks_type and not answers(*quotes[0]):
        # The sentence that states the figure asked for is read first.
        holding = next((q for q in quotes[1:] if supplies(q)), None)
    elif params.check_year and asked_years:
        # … and of "What did the College do in 2022?", a sentence about 2022 before one
        # dated only 2009.
        dated = years(quotes[0][0])
        if dated and dated.isdisjoint(asked_years):
            holding = next((q for q in quotes[1:] if years(q[0]) & asked_years), None)
    if holding:
        quotes.remove(holding)
        quotes.insert(0, holding)
    if checks_type:
        # A heading is no point of its own ("Sector Donor Amount (US$)" above a table).
        quotes = quotes[:1] + [q for q in quotes[1:] if not is_heading(q[0]) or answers(*q)]
    if wanted == MONEY and checks_type:
        # "How much did Hungary contribute to the Fund?": a sum whose sentence does not name
        # Hungary ("the Fund mobilized US$10.9 million") is another's; Hungary's stands in its
        # row of a table of the top passages ("Hungary 300,000"), read first.
        lead = next((q for q, n in quotes if supplies((q, n))), "")
        unnamed = [name for name in givers(question, names) if not names_written(lead, [name])]
        rows = [item.candidate.row for item in cited[: params.funder_depth]]
        row = row_for(unnamed, rows, retriever.store.passages_after)
        if row and not (
            params.check_constraints
            and unmet_pins(question, cited[row.base], retriever, equivalents, params)
        ):
            n = admit(row)
            # … beside a sentence that states a sum (the currency, the total) or names the giver
            others = [
                q
                for q in quotes
                if not is_heading(q[0]) and (supplies(q) or names_written(q[0], unnamed))
            ]
            quotes = [(row.text, n), *others[:1]]
            kept = {one_line(q) for q, m in quotes if m == n}
            citation = citations[n - 1]
            citation.highlight = sorted(
                {s for s in citation.highlight if one_line(citation.text[slice(*s)]) in kept}
                | {row.span}
            )
            citation.page = row.passage.page_of(*row.span)
    if checks_type and wanted != DATE and not any(supplies(q) for q in quotes):
        # … the count stands in the sentence after the best, where the next window starts:
        # read first (and so cited first), the best sentence after it says of what (not a
        # date: a window's first date mostly opens the next item, "On 29 January, UNMIK …")
        after = sentence_after(best_row, b, retriever.store.passages_after)
        if (
            after
            and answers(after.text)
            and figure_bonus(after.text, wanted, question_numbers, focus) >= 1.0
        ):
            continued = admit(after)
            quotes.insert(0, (after.text, continued))
            citations[continued - 1].highlight = [after.span]
            citations[continued - 1].page = after.passage.page_of(*after.span)
    timings["answer"] = time.perf_counter() - started
    if checks_type and not any(supplies(q) for q in quotes):
        lead, n = quotes[0]
        stated = holds(lead, wanted, question_numbers, group=group or False, context=above(lead, n))
        stating = lead if stated and params.check_year else ""  # a figure, of other years?
        what = what_is_missing(wanted, group, stating, asked_years)
        reason = f"The closest passages are on the topic but {what}."
        return False, no_answer_text(reason), shown(), best.best_score
    was = {id(c): c.n for c in citations}
    listed_citations = shown([n for _, n in quotes])
    number = {was[id(c)]: c.n for c in listed_citations}  # a quote's marker, renumbered
    quotes = [q for q in quotes if q[1] in number]  # fewer sources shown: fewer quotes
    # A quote is read as one line: the PDF's line breaks inside a sentence are spaces.
    text = " ".join(f"{one_line(q)} [{number[n]}]" for q, n in quotes)
    return True, text, listed_citations, best.best_score
