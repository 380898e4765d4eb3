"""A class's grades as files staff use: grades.csv, tests.csv, changes.csv and report.html.

Everything here is computed from the batch's records (:mod:`grader.operations.batch`) and the manifest the
autograder graded with; nothing is graded here. ``report.html`` is one self-contained page: the
plots are PNGs (matplotlib, Agg) embedded as ``data:`` URIs, the style is inline, nothing loads
from the network.
"""

from __future__ import annotations

import base64
import csv
import datetime
import html
import io
import statistics
from pathlib import Path

from grader.operations.export import Export, Submission

EPS = 1e-9
CHART_TESTS = 25  # the pass-rate chart shows this many of the most failed tests; the table lists all
NOT_YET = "not graded yet"


def _test_key(number: str) -> tuple:
    return tuple(int(p) if p.isdigit() else 0 for p in number.split("."))


def _fmt(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


class ClassGrades:
    """The records joined with the export and the manifest: one :meth:`row` per submission."""

    def __init__(self, loaded: Export, records: dict[str, dict], manifest: dict, problems: str = "") -> None:
        self.loaded = loaded
        self.records = records
        self.homework = manifest.get("homework", "Homework")
        only = {int(p) for p in problems.split(",") if p.strip()}
        self.problems = [p for p in manifest["problems"] if not only or p["number"] in only]
        numbers = {p["number"] for p in self.problems}
        self.tests = sorted((t for t in manifest["tests"] if t["problem"] in numbers),
                            key=lambda t: _test_key(t["number"]))
        self.regular = [p for p in self.problems if not p["extra_credit"]]
        self.extra = [p for p in self.problems if p["extra_credit"]]
        self.possible = sum(p["points"] for p in self.regular)
        self.restricted = len(self.problems) < len(manifest["problems"])

    def status(self, sub: Submission) -> str:
        record = self.records.get(sub.id)
        return record["status"] if record else NOT_YET

    def doc(self, sub: Submission) -> dict | None:
        record = self.records.get(sub.id)
        return record.get("results") if record and record.get("status") == "graded" else None

    def test_scores(self, sub: Submission) -> dict[str, float]:
        doc = self.doc(sub)
        return {t["number"]: float(t["score"]) for t in doc["tests"]} if doc else {}

    def problem_points(self, sub: Submission) -> dict[int, float]:
        scores = self.test_scores(sub)
        return {p["number"]: sum(s for n, s in scores.items() if n.split(".")[0] == str(p["number"]))
                for p in self.problems}

    def total(self, sub: Submission) -> float | None:
        status = self.status(sub)
        if status == "no files":
            return 0.0
        doc = self.doc(sub)
        return float(doc["score"]) if doc else None

    def graded(self) -> list[Submission]:
        return [s for s in self.loaded.submissions if self.doc(s) is not None]

    def changes(self) -> list[dict]:
        """What a regrade would change on Gradescope: every submission whose total or a test score moves.

        When only some problems were graded, only their tests are compared (old and new totals are
        then the sums over those tests, and a submission recorded without per-test scores is left out).
        """
        scope = {t["number"] for t in self.tests}
        rows = []
        for sub in self.loaded.submissions:
            new = self.total(sub)
            if sub.recorded_score is None or new is None:
                continue
            old = sub.recorded_score
            changed = []
            if sub.recorded_tests is not None and self.status(sub) in ("graded", "no files"):
                mine = self.test_scores(sub)
                recorded = sub.recorded_tests
                if self.restricted:
                    mine = {n: v for n, v in mine.items() if n in scope}
                    recorded = {n: v for n, v in recorded.items() if n in scope}
                    old, new = sum(recorded.values()), sum(mine.values())
                for number in sorted(set(mine) | set(recorded), key=_test_key):
                    if abs(mine.get(number, 0.0) - recorded.get(number, 0.0)) > EPS:
                        changed.append(number)
            elif self.restricted:
                continue
            delta = new - old
            if abs(delta) > EPS or changed:
                rows.append({"sub": sub, "old": old, "new": new, "delta": delta, "tests": changed})
        rows.sort(key=lambda r: (-abs(r["delta"]), _test_key(r["sub"].id), r["sub"].id))
        return rows

    def recorded(self) -> bool:
        return any(s.recorded_score is not None for s in self.loaded.submissions)


def write_grades(grades: ClassGrades, path: Path) -> None:
    """One row per submitter (a group gives each member a row), ready for a gradebook import."""
    header = ["submission_id", "sid", "name", "email", "total"]
    header += [f"problem_{p['number']}" for p in grades.regular] + ["extra_credit", "status", "note"]
    with open(path, "w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(header)
        for sub in grades.loaded.submissions:
            status = grades.status(sub)
            total = grades.total(sub)
            if grades.doc(sub) is not None:
                points = grades.problem_points(sub)
                cells = [_fmt(points[p["number"]]) for p in grades.regular]
                extra = _fmt(sum(points[p["number"]] for p in grades.extra)) if grades.extra else ""
            elif status == "no files":
                cells, extra = ["0"] * len(grades.regular), "0" if grades.extra else ""
            else:
                cells, extra = [""] * len(grades.regular), ""
            note = (grades.records.get(sub.id) or {}).get("error", "") or sub.note
            for person in sub.submitters or [None]:
                name, sid, email = (person.name, person.sid, person.email) if person else ("", "", "")
                out.writerow([sub.id, sid, name, email, _fmt(total), *cells, extra, status, note])


def write_tests(grades: ClassGrades, path: Path) -> None:
    """Submission x test -> score, one row each, for analysis."""
    with open(path, "w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["submission_id", "test", "problem", "name", "score", "max_score"])
        for sub in grades.graded():
            scores = grades.test_scores(sub)
            for test in grades.tests:
                if test["number"] in scores:
                    out.writerow([sub.id, test["number"], test["problem"], test["name"],
                                  _fmt(scores[test["number"]]), _fmt(test["points"])])


def write_changes(grades: ClassGrades, path: Path) -> None:
    """Old total (as recorded), new total, delta and the changed test numbers, largest |delta| first."""
    with open(path, "w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["submission_id", "sids", "names", "old_total", "new_total", "delta", "changed_tests"])
        for row in grades.changes():
            sub = row["sub"]
            out.writerow([sub.id, " ".join(p.sid for p in sub.submitters), "; ".join(p.name for p in sub.submitters),
                          _fmt(row["old"]), _fmt(row["new"]), f"{row['delta']:+g}", " ".join(row["tests"])])


def _png(fig) -> str:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    import matplotlib.pyplot as plt
    plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def _plots(grades: ClassGrades, rates: list[tuple[dict, float, float, int]]) -> dict[str, str]:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plots = {}
    totals = [grades.total(s) for s in grades.graded()]
    top = max([grades.possible + sum(p["points"] for p in grades.extra), *totals, 1.0])
    fig, ax = plt.subplots(figsize=(7.5, 3.2))
    bins = [i * top / 20 for i in range(21)]
    ax.hist(totals, bins=bins, color="#3b6ea8", edgecolor="white")
    if totals:
        median = statistics.median(totals)
        ax.axvline(median, color="#c0392b", linestyle="--", label=f"median {median:g}")
        ax.legend(frameon=False)
    ax.axvline(grades.possible, color="#555", linewidth=1)
    ax.set_xlabel(f"total points (regular maximum {grades.possible:g}; extra credit beyond)")
    ax.set_ylabel("submissions")
    ax.set_title("Total score")
    ax.spines[["top", "right"]].set_visible(False)
    plots["totals"] = _png(fig)

    if grades.problems:
        fig, ax = plt.subplots(figsize=(7.5, 0.55 * len(grades.problems) + 1.2))
        labels, data = [], []
        for p in reversed(grades.problems):
            values = [100 * grades.problem_points(s)[p["number"]] / p["points"] for s in grades.graded()]
            title = p["title"] if len(p["title"]) <= 36 else p["title"][:35] + "..."
            labels.append(f"P{p['number']} {title}{' (EC)' if p['extra_credit'] else ''}")
            data.append(values)
        ax.boxplot(data, orientation="horizontal", widths=0.55, showmeans=True,
                   meanprops={"marker": "D", "markerfacecolor": "#c0392b", "markeredgecolor": "#c0392b"})
        ax.set_yticks(range(1, len(labels) + 1), labels)
        ax.set_xlim(-3, 103)
        ax.set_xlabel("% of the problem's points (box: quartiles; diamond: mean)")
        ax.set_title("Per problem")
        ax.spines[["top", "right"]].set_visible(False)
        plots["problems"] = _png(fig)

    failed = [r for r in rates if r[1] < 1.0]  # tests some graded submission did not pass in full
    shown = failed[:CHART_TESTS]
    if shown:
        fig, ax = plt.subplots(figsize=(7.5, 0.28 * len(shown) + 1.0))
        labels = [f"{t['number']}  {t['name'][:52]}{'...' if len(t['name']) > 52 else ''}" for t, _, _, _ in shown]
        values = [100 * rate for _, rate, _, _ in shown]
        colors = ["#c0392b" if v < 50 else "#e67e22" if v < 80 else "#3b6ea8" for v in values]
        bars = ax.barh(range(len(shown)), values, color=colors)
        ax.bar_label(bars, labels=[f"{v:.0f}%" for v in values], padding=3, fontsize=8)
        ax.set_yticks(range(len(shown)), labels, fontsize=8)
        ax.invert_yaxis()
        ax.set_xlim(0, 100)
        ax.set_xlabel("% of graded submissions with full marks on the test")
        more = f" (the first {len(shown)} of {len(failed)})" if len(failed) > len(shown) else ""
        ax.set_title(f"Tests not passed in full by everyone, most failed first{more}")
        ax.spines[["top", "right"]].set_visible(False)
        plots["tests"] = _png(fig)
    return plots


def pass_rates(grades: ClassGrades) -> list[tuple[dict, float, float, int]]:
    """(test, share with full marks, mean score, submissions) for every graded test, most failed first."""
    graded = [grades.test_scores(s) for s in grades.graded()]
    rates = []
    for test in grades.tests:
        scores = [g[test["number"]] for g in graded if test["number"] in g]
        if not scores or test["points"] <= 0:
            continue
        full = sum(1 for s in scores if s >= test["points"] - EPS) / len(scores)
        rates.append((test, full, statistics.fmean(scores), len(scores)))
    rates.sort(key=lambda r: (r[1], r[2] / r[0]["points"], _test_key(r[0]["number"])))
    return rates


STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 2em auto; max-width: 1100px;
       color: #222; line-height: 1.4; padding: 0 1em; }
h1 { margin-bottom: 0.1em; } h2 { margin-top: 1.8em; border-bottom: 1px solid #ddd; padding-bottom: 0.2em; }
.meta { color: #666; font-size: 0.9em; }
.cards { display: flex; flex-wrap: wrap; gap: 0.8em; margin: 1.2em 0; }
.card { border: 1px solid #ddd; border-radius: 6px; padding: 0.6em 1em; min-width: 8.5em; background: #fafafa; }
.card b { display: block; font-size: 1.7em; } .card.bad b { color: #c0392b; } .card.warn b { color: #b9770e; }
.plots { display: flex; flex-wrap: wrap; gap: 1em; align-items: flex-start; }
.plots img { max-width: 100%; border: 1px solid #eee; }
table { border-collapse: collapse; margin: 0.6em 0; font-size: 0.9em; }
th, td { border: 1px solid #ddd; padding: 0.25em 0.6em; text-align: left; vertical-align: top; }
th { background: #f0f0f0; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
.up { color: #1e8449; font-weight: bold; } .down { color: #c0392b; font-weight: bold; }
.low { background: #fdecea; } .mid { background: #fef5e7; }
pre { white-space: pre-wrap; font-size: 0.8em; background: #f7f7f7; padding: 0.5em; max-height: 20em; overflow: auto; }
.none { color: #1e8449; }
"""


def _who(sub: Submission) -> str:
    return "; ".join(f"{p.name} ({p.sid})" if p.sid else p.name for p in sub.submitters) or "&mdash;"


def render_html(grades: ClassGrades, autograder_digest: str = "") -> str:
    e = html.escape
    subs = grades.loaded.submissions
    counts = {s: sum(1 for sub in subs if grades.status(sub) == s)
              for s in ("graded", "grader error", "no files", NOT_YET)}
    totals = [grades.total(s) for s in grades.graded()]
    rates = pass_rates(grades)
    plots = _plots(grades, rates)
    changes = grades.changes()
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    shown = ", ".join(str(p["number"]) for p in grades.problems)
    parts = [f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{e(grades.homework)} class report"
             f"</title><style>{STYLE}</style></head><body>",
             f"<h1>{e(grades.homework)} class report</h1>",
             f"<p class='meta'>{e(grades.loaded.source)} ({e(grades.loaded.kind)}) &middot; problems {e(shown)} "
             f"&middot; autograder {e(autograder_digest[:12])} &middot; {now}</p>"]

    def card(label: str, value: str, cls: str = "") -> str:
        return f"<div class='card {cls}'><b>{e(value)}</b>{e(label)}</div>"

    cards = [card("submissions", str(len(subs))), card("graded", str(counts["graded"])),
             card("grader errors", str(counts["grader error"]), "bad" if counts["grader error"] else ""),
             card("without files", str(counts["no files"]), "warn" if counts["no files"] else "")]
    if counts[NOT_YET]:
        cards.append(card("not graded yet", str(counts[NOT_YET]), "warn"))
    if totals:
        cards += [card(f"median of {grades.possible:g}", f"{statistics.median(totals):g}"),
                  card("mean", f"{statistics.fmean(totals):.1f}")]
    if grades.recorded():
        cards.append(card("regrade changes", str(len(changes)), "warn" if changes else ""))
    parts.append(f"<div class='cards'>{''.join(cards)}</div>")

    parts.append("<h2>Scores</h2><div class='plots'>")
    for name, alt in (("totals", "histogram of total scores"), ("problems", "per-problem score distributions")):
        if name in plots and totals:
            parts.append(f"<img alt='{alt}' src='{plots[name]}'>")
    parts.append("</div>" if totals else "<p>No submission was graded.</p></div>")

    parts.append("<h2>Tests students struggle with</h2>")
    if "tests" in plots:
        parts.append(f"<div class='plots'><img alt='pass rate of the most failed tests' src='{plots['tests']}'></div>")
    elif rates:
        parts.append("<p class='none'>Every graded submission passed every test in full.</p>")
    if rates:
        parts.append("<details><summary>Every test, most failed first</summary><table><tr><th>test</th><th>name</th>"
                     "<th>full marks</th><th>mean / max</th></tr>")
        for test, rate, mean, n in rates:
            cls = "low" if rate < 0.5 else "mid" if rate < 0.8 else ""
            parts.append(f"<tr class='{cls}'><td>{e(test['number'])}</td><td>{e(test['name'])}</td>"
                         f"<td class='num'>{rate:.0%} of {n}</td>"
                         f"<td class='num'>{mean:.2f} / {test['points']:g}</td></tr>")
        parts.append("</table></details>")

    if grades.recorded():
        scope = f", problems {shown} only" if grades.restricted else ""
        parts.append(f"<h2>Regrade changes (against the scores Gradescope recorded{e(scope)})</h2>")
        if changes:
            parts.append("<table><tr><th>submission</th><th>submitters</th><th>old</th><th>new</th><th>delta</th>"
                         "<th>tests that change</th></tr>")
            for row in changes:
                cls = "up" if row["delta"] > EPS else "down" if row["delta"] < -EPS else ""
                parts.append(f"<tr><td>{e(row['sub'].id)}</td><td>{e(_who(row['sub']))}</td>"
                             f"<td class='num'>{row['old']:g}</td><td class='num'>{row['new']:g}</td>"
                             f"<td class='num {cls}'>{row['delta']:+g}</td><td>{e(' '.join(row['tests']))}</td></tr>")
            parts.append("</table>")
        else:
            parts.append("<p class='none'>None: a regrade would change no score.</p>")

    errors = [s for s in subs if grades.status(s) == "grader error"]
    parts.append("<h2>Grader errors</h2>")
    if errors:
        parts.append("<p>These submissions have no grade: the grading itself failed (rerun with "
                     "<code>--retry-errors</code> after fixing the cause).</p><table><tr><th>submission</th>"
                     "<th>submitters</th><th>what happened</th></tr>")
        for sub in errors:
            record = grades.records[sub.id]
            log = record.get("log") or ""
            detail = f"<details><summary>log</summary><pre>{e(log)}</pre></details>" if log else ""
            parts.append(f"<tr><td>{e(sub.id)}</td><td>{e(_who(sub))}</td><td>{e(record.get('error', ''))}"
                         f"{detail}</td></tr>")
        parts.append("</table>")
    else:
        parts.append("<p class='none'>None.</p>")

    missing = [s for s in subs if grades.status(s) in ("no files", NOT_YET)]
    if missing or grades.loaded.problems:
        parts.append("<h2>Input problems and submissions without a grade</h2><ul>")
        for line in grades.loaded.problems:
            parts.append(f"<li>{e(line)}</li>")
        for sub in missing:
            if grades.status(sub) == NOT_YET:
                parts.append(f"<li>{e(sub.id)} ({e(_who(sub))}): not graded yet (the run was interrupted)</li>")
        parts.append("</ul>")
    parts.append("</body></html>")
    return "\n".join(parts)


def write_all(out: Path, loaded: Export, records: dict[str, dict], manifest: dict, problems: str = "",
              autograder_digest: str = "") -> list[Path]:
    """grades.csv, tests.csv, changes.csv (when the input recorded scores) and report.html in ``out``."""
    grades = ClassGrades(loaded, records, manifest, problems)
    written = [out / "grades.csv", out / "tests.csv"]
    write_grades(grades, written[0])
    write_tests(grades, written[1])
    if grades.recorded():
        written.append(out / "changes.csv")
        write_changes(grades, written[-1])
    else:
        (out / "changes.csv").unlink(missing_ok=True)
    written.append(out / "report.html")
    written[-1].write_text(render_html(grades, autograder_digest), encoding="utf-8")
    return written
