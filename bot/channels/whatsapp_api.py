"""A thin WhatsApp Cloud API client on httpx, with pydantic models of what goes in and out.

Only what bpu-bot uses: webhook payloads (messages, statuses, contacts), sending text, reply
buttons and lists, and uploading media. The base URL is a setting, so tests and proxies can
point it elsewhere.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Literal

import httpx
from pydantic import BaseModel, ConfigDict, Field

log = logging.getLogger(__name__)

# --- webhook payloads (only the fields bpu-bot reads; others are ignored) ---------------------


class _Loose(BaseModel):
    model_config = ConfigDict(extra="ignore")


class Profile(_Loose):
    name: str | None = None
    username: str | None = None


class WebhookContact(_Loose):
    wa_id: str | None = None
    user_id: str | None = None  # business-scoped user id (BSUID)
    profile: Profile | None = None


class Text(_Loose):
    body: str = ""


class Reply(_Loose):
    id: str
    title: str = ""


class Interactive(_Loose):
    type: str
    button_reply: Reply | None = None
    list_reply: Reply | None = None


class QuickReplyButton(_Loose):
    text: str = ""
    payload: str | None = None


class SharedPhone(_Loose):
    phone: str | None = None
    wa_id: str | None = None


class SharedContact(_Loose):
    phones: list[SharedPhone] = Field(default_factory=list)


class Message(_Loose):
    id: str
    timestamp: str
    type: str
    from_: str | None = Field(None, alias="from")  # phone; may be withheld for usernames
    from_user_id: str | None = None
    text: Text | None = None
    interactive: Interactive | None = None
    button: QuickReplyButton | None = None
    contacts: list[SharedContact] | None = None


class StatusError(_Loose):
    code: int | None = None
    title: str | None = None


class Status(_Loose):
    id: str
    status: str
    timestamp: str | None = None
    errors: list[StatusError] = Field(default_factory=list)


class Metadata(_Loose):
    phone_number_id: str | None = None


class Value(_Loose):
    metadata: Metadata | None = None
    contacts: list[WebhookContact] = Field(default_factory=list)
    messages: list[Message] = Field(default_factory=list)
    statuses: list[Status] = Field(default_factory=list)
    # message_template_status_update and message_template_quality_update
    event: str | None = None  # APPROVED, PAUSED, DISABLED, REJECTED, ...
    message_template_name: str | None = None
    message_template_language: str | None = None
    new_quality_score: str | None = None  # GREEN, YELLOW, RED


class Change(_Loose):
    field: str
    value: Value


class Entry(_Loose):
    id: str | None = None
    changes: list[Change] = Field(default_factory=list)


class Webhook(_Loose):
    object: str
    entry: list[Entry] = Field(default_factory=list)


# --- outgoing messages --------------------------------------------------------------------------

BODY_LIMIT = 4096
INTERACTIVE_BODY_LIMIT = 1024
BUTTON_TITLE_LIMIT = 20
MAX_BUTTONS = 3
LIST_ROWS_LIMIT = 10
ROW_TITLE_LIMIT = 24
ROW_DESCRIPTION_LIMIT = 72
LIST_BUTTON_LIMIT = 20


class Row(BaseModel):
    id: str = Field(max_length=200)
    title: str = Field(max_length=ROW_TITLE_LIMIT)
    description: str | None = Field(None, max_length=ROW_DESCRIPTION_LIMIT)


class Button(BaseModel):
    id: str = Field(max_length=256)
    title: str = Field(max_length=BUTTON_TITLE_LIMIT)


class Outgoing(BaseModel):
    """One message to one person: text, reply buttons, a list, or media by uploaded id."""

    kind: Literal["text", "buttons", "list", "image", "document", "template"]
    body: str = ""
    buttons: list[Button] = Field(default_factory=list, max_length=MAX_BUTTONS)
    list_button: str = Field("", max_length=LIST_BUTTON_LIMIT)
    rows: list[Row] = Field(default_factory=list, max_length=LIST_ROWS_LIMIT)
    media_id: str | None = None
    filename: str | None = None
    template: str | None = None  # an approved template's name (kind "template")
    language: str = "id"
    params: list[str] = Field(default_factory=list)

    def payload(self, to: str | None, recipient: str | None) -> dict[str, Any]:
        """The Graph API request body; `to` (phone) wins over `recipient` (BSUID)."""
        message: dict[str, Any] = {"messaging_product": "whatsapp", "recipient_type": "individual"}
        message |= {"to": to} if to else {"recipient": recipient}
        if self.kind == "text":
            return message | {"type": "text", "text": {"body": self.body, "preview_url": False}}
        if self.kind == "buttons":
            action = {"buttons": [{"type": "reply", "reply": b.model_dump()} for b in self.buttons]}
            return message | {
                "type": "interactive",
                "interactive": {"type": "button", "body": {"text": self.body}, "action": action},
            }
        if self.kind == "list":
            rows = [r.model_dump(exclude_none=True) for r in self.rows]
            action = {"button": self.list_button, "sections": [{"rows": rows}]}
            return message | {
                "type": "interactive",
                "interactive": {"type": "list", "body": {"text": self.body}, "action": action},
            }
        if self.kind == "template":
            parameters = [{"type": "text", "text": p} for p in self.params]
            template = {"name": self.template, "language": {"code": self.language}}
            template["components"] = [{"type": "body", "parameters": parameters}]
            return message | {"type": "template", "template": template}
        media: dict[str, Any] = {"id": self.media_id}
        if self.kind == "document" and self.filename:
            media["filename"] = self.filename
        return message | {"type": self.kind, self.kind: media}


# --- the client ---------------------------------------------------------------------------------

RETRY_CODES = {130429, 131056, 131000, 2}  # throughput, pair rate limit, temporary, timeout


class GraphError(Exception):
    def __init__(self, status: int, code: int | None, message: str) -> None:
        super().__init__(f"Graph API {status}, code {code}: {message}")
        self.status, self.code = status, code

    @property
    def transient(self) -> bool:
        """Worth trying again later: no answer, a server error or a rate limit."""
        return _retryable(self.status, self.code)


def _retryable(status: int, code: int | None) -> bool:
    return status == 0 or status >= 500 or status == 429 or code in RETRY_CODES


class GraphClient:
    def __init__(
        self,
        base_url: str,
        token: str,
        phone_number_id: str,
        transport: httpx.AsyncBaseTransport | None = None,
        attempts: int = 4,
    ) -> None:
        self._http = httpx.AsyncClient(
            base_url=base_url.rstrip("/") + "/",
            transport=transport,
            timeout=20,
            headers={"Authorization": f"Bearer {token}"},
        )
        self._phone_number_id = phone_number_id
        self._attempts = attempts

    async def close(self) -> None:
        await self._http.aclose()

    async def send(self, message: Outgoing, to: str | None, recipient: str | None) -> str:
        """Send one message; returns its wamid. Retries rate limits and server errors."""
        result = await self._request(
            "POST", f"{self._phone_number_id}/messages", json=message.payload(to, recipient)
        )
        return result["messages"][0]["id"]

    async def upload(self, data: bytes, mime: str, filename: str) -> str:
        result = await self._request(
            "POST",
            f"{self._phone_number_id}/media",
            data={"messaging_product": "whatsapp", "type": mime},
            files={"file": (filename, data, mime)},
        )
        return result["id"]

    async def _request(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        for attempt in range(self._attempts):
            try:
                response = await self._http.request(method, path, **kwargs)
            except httpx.TransportError as error:
                if attempt == self._attempts - 1:
                    raise GraphError(0, None, f"network: {error}") from error
                await asyncio.sleep(0.5 * 2**attempt)
                continue
            if response.status_code < 400:
                return response.json()
            error = response.json().get("error", {}) if response.content else {}
            code, text = error.get("code"), error.get("message", response.reason_phrase)
            if not _retryable(response.status_code, code) or attempt == self._attempts - 1:
                raise GraphError(response.status_code, code, text)
            log.warning("Graph API %s (code %s); retrying", response.status_code, code)
            await asyncio.sleep(0.5 * 2**attempt)
        raise AssertionError("unreachable")
