"""Tables (Markdown, HTML) and matplotlib plots (PNG + SVG) for :mod:`projner.report`."""

from __future__ import annotations

import html
import io
from pathlib import Path

from ..errors import UsageError
from ..io.common import atomic_write

COLUMNS = [("run", "name"), ("language", "language"), ("method", "method"), ("P", "precision"),
           ("R", "recall"), ("F1", "f1"), ("macro F1", "macro_f1"), ("proj. ratio", "projection_ratio"),
           ("sentences", "sentences"), ("seconds", "seconds")]


def _cell(value, key: str = "") -> str:
    if value is None:
        return "–"
    if key == "seconds":
        return f"{value:.2f}"
    if isinstance(value, float):
        return f"{value:.4f}"
    return str(value)


def markdown_table(runs) -> str:
    head = "| " + " | ".join(c for c, _ in COLUMNS) + " |"
    rule = "|" + "|".join("---" if k in ("name", "language", "method") else "---:" for _, k in COLUMNS) + "|"
    rows = ["| " + " | ".join(_cell(getattr(r, k), k).replace("|", "\\|") for _, k in COLUMNS) + " |" for r in runs]
    return "\n".join([head, rule, *rows])


def html_table(runs) -> str:
    head = "".join(f"<th>{html.escape(c)}</th>" for c, _ in COLUMNS)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(_cell(getattr(r, k), k))}</td>" for _, k in COLUMNS) + "</tr>"
                   for r in runs)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _pyplot():
    try:
        import matplotlib
    except ImportError:  # pragma: no cover - the report extra is part of 'all'
        raise UsageError("projner report draws its plots with matplotlib: pip install 'projner[report]'") from None
    matplotlib.use("Agg")
    matplotlib.rcParams["svg.hashsalt"] = "projner"  # stable SVG ids
    import matplotlib.pyplot as plt

    return plt


def _f1_plot(plt, runs):
    langs = sorted({r.language for r in runs})
    methods = sorted({r.method for r in runs})
    fig, ax = plt.subplots(figsize=(min(14.0, 3.0 + 0.45 * len(langs) * len(methods)) + (2.2 if len(methods) > 1 else 0),
                                    3.6))
    width = 0.8 / max(1, len(methods))
    for m, method in enumerate(methods):
        xs, ys = [], []
        for k, lang in enumerate(langs):
            vals = [r.f1 for r in runs if r.language == lang and r.method == method and r.f1 is not None]
            if vals:
                xs.append(k - 0.4 + width * (m + 0.5))
                ys.append(max(vals))
        bars = ax.bar(xs, ys, width, label=method)
        ax.bar_label(bars, fmt="%.3f", fontsize=7, padding=1)
    ax.set_xticks(range(len(langs)), langs)
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("F1")
    ax.set_title("F1 per language and method")
    if len(methods) > 1:
        ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    return fig


def _pr_plot(plt, runs):
    fig, ax = plt.subplots(figsize=(4.8, 4.2))
    for r in runs:
        if r.precision is not None and r.recall is not None:
            ax.scatter(r.recall, r.precision, s=28)
            ax.annotate(r.name, (r.recall, r.precision), fontsize=7, xytext=(4, 3), textcoords="offset points")
    ax.set_xlim(0, 1.02)
    ax.set_ylim(0, 1.02)
    ax.set_xlabel("recall")
    ax.set_ylabel("precision")
    ax.set_title("precision and recall")
    ax.grid(alpha=0.3)
    return fig


def _bar_plot(plt, runs, attr: str, label: str, title: str):
    rows = [(r.name, getattr(r, attr)) for r in runs if getattr(r, attr) is not None]
    if not rows:
        return None
    fig, ax = plt.subplots(figsize=(6, 0.9 + 0.32 * len(rows)))
    bars = ax.barh([n for n, _ in rows][::-1], [v for _, v in rows][::-1], color="#4c78a8")
    ax.bar_label(bars, fmt="%.3g", fontsize=7, padding=2)
    ax.set_xlabel(label)
    ax.set_title(title)
    ax.tick_params(axis="y", labelsize=7)
    return fig


def plots(runs) -> dict[str, object]:
    """name → matplotlib figure (only the plots that have data)."""
    plt = _pyplot()
    figs = {}
    if any(r.f1 is not None for r in runs):
        figs["f1"] = _f1_plot(plt, runs)
        figs["precision-recall"] = _pr_plot(plt, runs)
    for attr, label, title in (("projection_ratio", "projected / source entities", "projection ratio"),
                               ("seconds", "seconds", "time")):
        fig = _bar_plot(plt, runs, attr, label, title)
        if fig is not None:
            figs[attr.replace("_", "-")] = fig
    for fig in figs.values():
        fig.tight_layout()
    return figs


def _save(fig, path: Path, fmt: str) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format=fmt, dpi=130, metadata={"Date": None} if fmt == "svg" else {"Software": None})
    data = buf.getvalue()
    with atomic_write(path, "wb") as fh:
        fh.write(data)
    return data


CSS = ("body{font:14px/1.45 system-ui,sans-serif;color:#1d2330;max-width:1100px;margin:24px auto;padding:0 16px}"
       "table{border-collapse:collapse;font-size:13px}th,td{border-bottom:1px solid #e3e6ec;padding:4px 10px;"
       "text-align:right}th:nth-child(-n+3),td:nth-child(-n+3){text-align:left}th{background:#f3f4f6}"
       ".plots{display:flex;flex-wrap:wrap;gap:16px;margin-top:18px}.plots svg{max-width:100%;height:auto}")


def write_all(runs, folder: Path, title: str) -> list[Path]:
    import matplotlib.pyplot as plt

    figs = plots(runs)
    folder.mkdir(parents=True, exist_ok=True)
    written, svgs = [], []
    for name, fig in figs.items():
        _save(fig, folder / f"{name}.png", "png")
        svg = _save(fig, folder / f"{name}.svg", "svg").decode("utf-8")
        svgs.append(svg[svg.index("<svg"):])
        written += [folder / f"{name}.png", folder / f"{name}.svg"]
        plt.close(fig)
    md = [f"# {title}", "", markdown_table(runs), ""]
    md += [f"![{name}]({name}.png)" for name in figs]
    with atomic_write(folder / "report.md") as fh:
        fh.write("\n".join(md) + "\n")
    page = (f"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{html.escape(title)}</title>"
            f"<style>{CSS}</style></head><body><h1>{html.escape(title)}</h1>{html_table(runs)}"
            f"<div class=\"plots\">{''.join(svgs)}</div></body></html>\n")
    with atomic_write(folder / "report.html") as fh:
        fh.write(page)
    return [folder / "report.md", folder / "report.html", *written]
