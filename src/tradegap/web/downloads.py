"""CSV and Excel downloads of any table the JSON API returns, so that a download is the API's
JSON by construction: ``/api/potential?…&download=rows.csv`` runs the same route, takes the
list ``rows`` from its JSON and writes it as CSV (or ``.xlsx``). Synthetic results say so in
the file (a leading comment in CSV, a second sheet in Excel)."""

from __future__ import annotations

import io
import json
import re
from typing import Any
from urllib.parse import urlencode

import pandas as pd
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

DOWNLOAD = re.compile(r"^(?P<key>[A-Za-z_][A-Za-z0-9_.]{0,60})\.(?P<ext>csv|xlsx)$")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def table_at(payload: Any, key: str) -> pd.DataFrame | None:
    """The table at dotted ``key`` in a JSON payload (``summaries.0.per_period``: a list item
    by its index): a list of records, a dict of columns, a dict of records (one row each, the
    key in column ``key``) or a flat dict of values (columns ``key`` and ``value``)."""
    value = payload
    for part in key.split("."):
        if isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        elif isinstance(value, dict) and part in value:
            value = value[part]
        else:
            return None
    if isinstance(value, list) and all(isinstance(v, dict) for v in value):
        return pd.DataFrame.from_records(value)
    if not isinstance(value, dict) or not value:
        return None
    if all(isinstance(v, list) for v in value.values()):
        return pd.DataFrame(value)
    if all(isinstance(v, dict) for v in value.values()):
        return pd.DataFrame.from_records([{"key": k, **v} for k, v in value.items()])
    if not any(isinstance(v, dict | list) for v in value.values()):
        return pd.DataFrame({"key": list(value), "value": list(value.values())})
    return None


def _flatten(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.apply(lambda col: col.map(
        lambda v: json.dumps(v, ensure_ascii=False) if isinstance(v, dict | list) else v))


def render(frame: pd.DataFrame, ext: str, label: str | None) -> bytes:
    frame = _flatten(frame)
    if ext == "csv":
        head = f"# {label}\n" if label else ""
        return (head + frame.to_csv(index=False)).encode("utf-8")
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        frame.to_excel(writer, index=False, sheet_name="table")
        if label:
            pd.DataFrame({"note": [label]}).to_excel(writer, index=False, sheet_name="about")
    return buffer.getvalue()


def download_link(path: str, params: dict[str, Any], key: str, ext: str) -> str:
    """The URL that downloads table ``key`` of API ``path`` with ``params``."""
    query = [(k, v) for k, v in params.items() if v not in (None, "")]
    return f"{path}?{urlencode([*query, ('download', f'{key}.{ext}')], doseq=True)}"


async def middleware(request: Request, call_next: Any) -> Response:
    wanted = request.query_params.get("download")
    if wanted is None or not request.url.path.startswith("/api/"):
        return await call_next(request)
    match = DOWNLOAD.match(wanted)
    if match is None:
        return JSONResponse({"error": f"cannot download {wanted!r}", "status": 422,
                             "hint": "ask for TABLE.csv or TABLE.xlsx"}, status_code=422)
    response = await call_next(request)
    body = b"".join([chunk async for chunk in response.body_iterator])
    if response.status_code != 200 or "json" not in response.headers.get("content-type", ""):
        return Response(body, status_code=response.status_code,
                        media_type=response.headers.get("content-type"))
    payload = json.loads(body)
    frame = table_at(payload, match["key"])
    if frame is None:
        return JSONResponse({"error": f"this response has no table {match['key']!r}",
                             "status": 404}, status_code=404)
    prov = payload.get("provenance") if isinstance(payload, dict) else None
    label = prov.get("label") if isinstance(prov, dict) and prov.get("synthetic") else None
    ext = match["ext"]
    name = request.url.path.strip("/").replace("/", "-") + f"-{match['key']}.{ext}"
    return Response(render(frame, ext, label),
                    media_type="text/csv; charset=utf-8" if ext == "csv" else XLSX,
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
