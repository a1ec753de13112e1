"""Notebook HTML of a batch (``BatchRun``, ``BatchSummary``) and of population figures.

The classes live in the uses stage and may not import this one; their
``_repr_html_`` asks the registry of ``_common/display.py``, and this module
registers the renderers when it is imported (the package root imports it).
Summary counts come first, then the detail tables. Like every output: ids,
counts and statuses only.
"""

from __future__ import annotations

from html import escape

from .._common.display import register_html
from .._uses.batch import BatchRun, BatchSummary
from .._uses.figures import NOTICE_CATEGORIES, Coverage, PopulationFigures, Share

__all__ = ["batch_run_html", "batch_summary_html", "figures_html"]

_RED, _AMBER, _PURPLE, _GREEN = "#f4c7c3", "#fce8b2", "#e1d5f0", "#d9ead3"
_STATUS_BG = {"breached": _RED, "fulfilled_late": _RED, "contested": _AMBER, "not_followed": _PURPLE,
              "followed_late": _PURPLE, "fulfilled": _GREEN}


def _e(v: object) -> str:
    return escape(str(v), quote=True)


def _table(header: list[str], rows: list[list[str]], cls: str) -> str:
    head = "".join(f"<th>{_e(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(rows_cell for rows_cell in r) + "</tr>" for r in rows)
    return f'<table class="{cls}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def _td(v: object, bg: str | None = None) -> str:
    style = f' style="background-color:{bg}"' if bg else ""
    return f"<td{style}>{_e(v)}</td>"


def batch_summary_html(s: BatchSummary) -> str:
    """Counts first (timelines, obligations, breaches), then statuses and breaches by duty."""
    state = "complete" if s.complete else "incomplete (the run was not read to the end)"
    counts = [
        ["timelines evaluated", s.evaluated], ["timelines failed", s.failed], ["entries skipped", s.skipped],
        ["obligations", s.obligations], ["breaches", s.breaches], ["timelines with a breach", s.breached_timelines],
    ]
    out = [f'<div class="samarbeid-batch"><p><strong>batch</strong> {_e(state)}</p>',
           _table(["count", "n"], [[_td(k), _td(v)] for k, v in counts], "counts"),
           "<p><strong>obligations by status</strong></p>",
           _table(["status", "obligations"], [[_td(k, _STATUS_BG.get(k)), _td(v)] for k, v in s.by_status.items()],
                  "statuses")]
    if s.breaches_by_duty:
        out += ["<p><strong>breaches by duty</strong></p>",
                _table(["duty", "breaches"], [[_td(k), _td(v)] for k, v in sorted(s.breaches_by_duty.items())],
                       "duties")]
    if s.skipped_items:
        out += ["<p><strong>skipped</strong></p>",
                _table(["location", "reason"], [[_td(a), _td(b)] for a, b in s.skipped_items], "skipped")]
    out.append("</div>")
    return "\n".join(out)


def batch_run_html(run: BatchRun) -> str:
    """The run's summary so far (complete once the run has been read to the end)."""
    return batch_summary_html(run.summary)


def _share(s: Share) -> str:
    pct = "-" if s.value is None else f"{100 * s.value:.1f}%"
    return f"{pct} ({s.numerator}/{s.denominator})" + (f", {s.pending} pending" if s.pending else "")


def _cover(c: Coverage) -> str:
    pct = "-" if c.value is None else f"{100 * c.value:.1f}%"
    return f"{pct} ({c.covered_hours:.1f} h of {c.required_hours:.1f} h)"


def figures_html(f: PopulationFigures) -> str:
    """Population, obligations and breaches first; then the release, isolation and notice-timing figures."""
    rn = f.release_notice.overall
    counts = [["timelines", f.timelines], ["obligations", f.obligations], ["breaches", f.breaches.total]]
    figures = [
        ["release notices two months ahead (release.health_notice)", _share(rn.two_months_ahead)],
        ["release notices on time by the rule", _share(rn.on_time)],
        ["median lead time, days", "-" if rn.lead_days.median is None else f"{rn.lead_days.median:g}"],
        ["transfers: health told before the transfer", _share(f.transfer_told_before)],
        ["isolation days with a health visit", _share(f.isolation_days_with_health_visit)],
        ["daytime hours with an hourly look", _cover(f.daytime_hours_with_hourly_look)],
        ["minors' continuous-supervision coverage", _cover(f.minor_continuous_coverage)],
        ["disclosures without a valid basis", _share(f.disclosures_without_basis_share)],
    ]
    out = ['<div class="samarbeid-figures">',
           _table(["count", "n"], [[_td(k), _td(v)] for k, v in counts], "counts"),
           _table(["figure", "value"], [[_td(k), _td(v)] for k, v in figures], "figures")]
    if f.notice_timing:
        header = ["duty", "to", "releases", *NOTICE_CATEGORIES]
        rows = [[_td(d), _td(nt.recipient), _td(nt.releases), *(_td(_share(nt.shares[c])) for c in NOTICE_CATEGORIES)]
                for d, nt in f.notice_timing.items()]
        out += ["<p><strong>notices counted from the release day</strong></p>", _table(header, rows, "notices")]
    if f.breaches.by_duty:
        rows = [[_td(k), _td(v)] for k, v in f.breaches.by_duty.items() if v]
        if rows:
            out += ["<p><strong>breaches by duty</strong></p>", _table(["duty", "breaches"], rows, "duties")]
    out.append("</div>")
    return "\n".join(out)


register_html(BatchSummary, batch_summary_html)
register_html(BatchRun, batch_run_html)
register_html(PopulationFigures, figures_html)
