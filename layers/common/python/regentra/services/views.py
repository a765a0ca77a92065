"""What each caller sees: the API.md shapes, with staff-only fields removed for customers."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from regentra.clock import iso
from regentra.domain.cascade import Cascade
from regentra.domain.chat import ChatMessage, ChatSession
from regentra.domain.conversation import Attachment, Note, Reply, TimeEntry
from regentra.domain.tickets import Activity, Ticket
from regentra.identity import Principal
from regentra.services.ports import Client, Contact, TicketDetail
from regentra.services.sla import sla_view


def ticket_view(ticket: Ticket, now: datetime, viewer: Principal) -> dict[str, Any]:
    return {
        "id": ticket.id,
        "number": ticket.number,
        "subject": ticket.subject,
        "description": ticket.description,
        "status": str(ticket.status),
        "priority": str(ticket.priority),
        # AI suggestions are staff-only.
        "suggested_priority": (
            str(ticket.suggested_priority) if ticket.suggested_priority and viewer.is_staff else None
        ),
        "channel": str(ticket.channel),
        "client_id": ticket.client_id,
        "contact_id": ticket.contact_id,
        "assignee_id": ticket.assignee_id,
        "created_at": iso(ticket.created_at),
        "updated_at": iso(ticket.updated_at),
        "first_response_at": iso(ticket.first_response_at),
        "resolved_at": iso(ticket.resolved_at),
        "closed_at": iso(ticket.closed_at),
        # Computed for this request's moment, so a badge is never stale between sweeps.
        "sla": sla_view(ticket, now),
        "is_master": ticket.is_master,
        "master_id": ticket.master_id,
        "child_count": ticket.child_count,
        "follow_up_of": ticket.follow_up_of,
        "version": ticket.version,
    }


def activity_view(entry: Activity) -> dict[str, Any]:
    return {"at": iso(entry.at), "actor": entry.actor, "source": entry.source, "change": entry.change}


def reply_view(reply: Reply, viewer: Principal) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": reply.id,
        "author_type": reply.author_type,
        "author_id": reply.author_id,
        "body": reply.body,
        "created_at": iso(reply.created_at),
        "channel": str(reply.channel),
        "attachments": list(reply.attachments),
    }
    if viewer.is_staff:  # how delivery went is staff business
        delivery = {k: v for k, v in reply.delivery.items() if k != "claimed_at"}
        if str(delivery.get("state", "")).startswith("claimed:"):
            delivery["state"] = "sending"
        body["delivery"] = delivery or None
        body["message_id"] = reply.message_id
        body["source"] = reply.source
    return body


def attachment_view(a: Attachment) -> dict[str, Any]:
    return {
        "id": a.id,
        "filename": a.filename,
        "content_type": a.content_type,
        "size": a.size,
        "state": a.state,
        "uploaded_by": a.uploaded_by,
        "created_at": iso(a.created_at),
    }


def note_view(note: Note) -> dict[str, Any]:
    return {"id": note.id, "author_id": note.author_id, "body": note.body, "created_at": iso(note.created_at)}


def time_entry_view(entry: TimeEntry) -> dict[str, Any]:
    return {
        "id": entry.id,
        "technician_id": entry.technician_id,
        "minutes": entry.minutes,
        "billable": entry.billable,
        "note": entry.note,
        "work_date": entry.work_date.isoformat(),
        "created_at": iso(entry.created_at),
    }


def detail_view(detail: TicketDetail, now: datetime, viewer: Principal) -> dict[str, Any]:
    ticket = detail.ticket
    body = ticket_view(ticket, now, viewer)
    body["replies"] = [reply_view(r, viewer) for r in detail.replies]
    body["attachments"] = [attachment_view(a) for a in detail.attachments if a.state == "uploaded"]
    body["links"] = {
        "master": ticket.master_id,
        # A master's children may belong to other clients: staff only.
        "children": (
            [link.other_id for link in detail.links if link.link_type == "child"] if viewer.is_staff else []
        ),
        "follow_up_of": ticket.follow_up_of,
        "follow_ups": [link.other_id for link in detail.links if link.link_type == "follow_up"],
    }
    if viewer.is_staff:
        body["notes"] = [note_view(n) for n in detail.notes]
        body["time_entries"] = [time_entry_view(e) for e in detail.time_entries]
        body["time_totals"] = {
            "billable_minutes": ticket.billable_minutes,
            "non_billable_minutes": ticket.non_billable_minutes,
        }
        body["activity"] = [activity_view(a) for a in detail.activity]  # stored in order
        # The AI analyzer's last result (with the provider that made it) and automation tags.
        body["analysis"] = ticket.analysis
        body["tags"] = list(ticket.tags)
    return body


def client_view(client: Client) -> dict[str, Any]:
    return {
        "id": client.id,
        "name": client.name,
        "vip": client.vip,
        "email_domains": list(client.email_domains),
        "sla_policy_id": client.sla_policy_id,
        "created_at": iso(client.created_at),
        "updated_at": iso(client.updated_at),
        "version": client.version,
    }


def contact_view(contact: Contact) -> dict[str, Any]:
    return {
        "id": contact.id,
        "client_id": contact.client_id,
        "name": contact.name,
        "email": contact.email,
        "phone": contact.phone,
        "created_at": iso(contact.created_at),
        "updated_at": iso(contact.updated_at),
        "version": contact.version,
    }


# --- live chat ------------------------------------------------------------------------------------


def chat_message_view(message: ChatMessage) -> dict[str, Any]:
    return {
        "id": message.id,
        "author_type": message.author_type,
        "author_id": message.author_id,
        "author_name": message.author_name,
        "body": message.body,
        "created_at": iso(message.created_at),
    }


def chat_session_view(
    session: ChatSession, messages: list[ChatMessage] | None = None, *, staff: bool = False
) -> dict[str, Any]:
    """A chat session; with `messages` for its detail. Customers and visitors never see who
    ended it by id (only why) or how a visitor was matched."""
    body: dict[str, Any] = {
        "id": session.id,
        "state": session.state,
        "started_by": session.started_by,
        "client_id": session.client_id,
        "contact_id": session.contact_id,
        "email": session.email,
        "name": session.name,
        "created_at": iso(session.created_at),
        "last_activity_at": iso(session.last_activity_at),
        "idle_at": iso(session.idle_at) if session.is_active else None,
        "message_count": session.message_count,
        "ended_at": iso(session.ended_at),
        "end_reason": session.end_reason,
        "ticket_id": session.ticket_id,
    }
    if staff:
        body["ended_by"] = session.ended_by
        body["first_staff_message_at"] = iso(session.first_staff_message_at)
    if messages is not None:
        body["messages"] = [chat_message_view(m) for m in messages]
        body["participants"] = sorted({f"{m.author_type}:{m.author_id}" for m in messages})
    return body


# --- master and child tickets ---------------------------------------------------------------------


def cascade_view(cascade: Cascade) -> dict[str, Any]:
    return {
        "id": cascade.id,
        "master_id": cascade.master_id,
        "state": cascade.state,
        "total": cascade.total,
        "applied": cascade.applied,
        "skipped": cascade.skipped,
        "failed": cascade.failed,
        "change": cascade.change.as_dict(),
        "created_by": cascade.actor,
        "created_at": iso(cascade.created_at),
        "finished_at": iso(cascade.finished_at),
    }


# --- knowledge base ---


def kb_article_view(article: Any) -> dict[str, Any]:
    return {
        "id": article.id,
        "title": article.title,
        "body": article.body,
        "tags": list(article.tags),
        "created_at": iso(article.created_at),
        "updated_at": iso(article.updated_at),
        "version": article.version,
    }


def ai_review_view(review: Any) -> dict[str, Any]:
    """An AI review as admins see it (regentra.domain.ai_reviews.AiReview)."""
    return {
        "id": review.id,
        "kind": review.kind,
        "ticket_id": review.ticket_id,
        "value": review.value,
        "sources": list(review.sources),
        "confidence": review.confidence,
        "reasons": list(review.reasons),
        "provider": review.provider,
        "state": review.state,
        "created_at": iso(review.created_at),
        "ticket_excerpt": review.ticket_text,
        "rating": review.rating,
        "override": review.override,
        "rated_by": review.rated_by,
        "rated_at": iso(review.rated_at),
        "outcome": review.outcome,
        "outcome_at": iso(review.outcome_at),
        "outcome_reason": review.outcome_reason,
        "similarity": review.similarity,
        "outcome_reply_id": review.outcome_reply_id,
    }
