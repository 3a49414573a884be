"""A report as a list of blocks (headings, paragraphs, tables, figures, code), and the two
renderers that turn it into Markdown (figures as files) and self-contained HTML (figures
embedded as base64), so both always say the same thing."""

from __future__ import annotations

import base64
import html
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

__all__ = ["Block", "Code", "Figure", "H", "P", "Table", "to_html", "to_markdown"]


# -- blocks -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class H:
    level: int
    text: str


@dataclass(frozen=True)
class P:
    text: str


@dataclass(frozen=True)
class Table:
    headers: list[str]
    rows: list[list[str]]


@dataclass(frozen=True)
class Figure:
    path: Path
    caption: str


@dataclass(frozen=True)
class Code:
    text: str


Block = H | P | Table | Figure | Code


# -- renderers --------------------------------------------------------------------------------
def to_markdown(title: str, blocks: list[Block], out_dir: Path) -> str:
    parts = [f"# {title}\n", f"_Built {datetime.now(UTC):%Y-%m-%d %H:%M} UTC._\n"]
    for b in blocks:
        if isinstance(b, H):
            parts.append(f"{'#' * b.level} {b.text}\n")
        elif isinstance(b, P):
            parts.append(b.text + "\n")
        elif isinstance(b, Table):
            parts.append("| " + " | ".join(b.headers) + " |")
            parts.append("|" + "---|" * len(b.headers))
            parts += ["| " + " | ".join(c.replace("|", "\\|") for c in r) + " |" for r in b.rows]
            parts.append("")
        elif isinstance(b, Figure):
            parts.append(f"![{b.caption}]({b.path.relative_to(out_dir)})\n\n_{b.caption}_\n")
        elif isinstance(b, Code):
            parts.append(f"```\n{b.text}\n```\n")
    return "\n".join(parts)


CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;max-width:1100px;
margin:2em auto;padding:0 1em;color:#222;line-height:1.45}
h1{font-size:1.6em}h2{border-bottom:1px solid #ddd;padding-bottom:.2em;margin-top:1.8em}
table{border-collapse:collapse;margin:.8em 0;font-size:.88em}
th,td{border:1px solid #ccc;padding:.25em .55em;text-align:left;vertical-align:top}
th{background:#f3f3f3}tr:nth-child(even) td{background:#fafafa}
pre{background:#f6f8fa;padding:.8em;overflow-x:auto;font-size:.82em;max-height:36em}
figure{margin:1em 0}figcaption{font-size:.85em;color:#555}img{max-width:100%}
"""


def _inline(text: str) -> str:
    """Escape, then render **bold** and `code` (the only inline markup the report uses)."""
    out = html.escape(text)
    parts = out.split("**")
    out = "".join(f"<strong>{p}</strong>" if i % 2 else p for i, p in enumerate(parts))
    parts = out.split("`")
    return "".join(f"<code>{p}</code>" if i % 2 else p for i, p in enumerate(parts))


def to_html(title: str, blocks: list[Block]) -> str:
    body = [
        f"<h1>{html.escape(title)}</h1>",
        f"<p><em>Built {datetime.now(UTC):%Y-%m-%d %H:%M} UTC.</em></p>",
    ]
    for b in blocks:
        if isinstance(b, H):
            body.append(f"<h{b.level}>{html.escape(b.text)}</h{b.level}>")
        elif isinstance(b, P):
            paragraphs, items = [], []
            for line in b.text.split("\n"):
                if line.startswith("- "):
                    items.append(f"<li>{_inline(line[2:])}</li>")
                elif line.strip():
                    paragraphs.append(f"<p>{_inline(line)}</p>")
            body += paragraphs
            if items:
                body.append("<ul>" + "".join(items) + "</ul>")
        elif isinstance(b, Table):
            head = "".join(f"<th>{html.escape(h)}</th>" for h in b.headers)
            rows = "".join(
                "<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in r) + "</tr>" for r in b.rows
            )
            body.append(f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>")
        elif isinstance(b, Figure):
            data = base64.b64encode(b.path.read_bytes()).decode()
            body.append(
                f'<figure><img alt="{html.escape(b.caption)}" '
                f'src="data:image/png;base64,{data}"><figcaption>'
                f"{html.escape(b.caption)}</figcaption></figure>"
            )
        elif isinstance(b, Code):
            body.append(f"<pre>{html.escape(b.text)}</pre>")
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title><style>{CSS}</style></head><body>\n"
        + "\n".join(body)
        + "\n</body></html>\n"
    )
