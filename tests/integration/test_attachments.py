"""Portal attachments: presigned upload limited in size and type, listed once it landed,
downloadable only by those who may read the ticket (the local stand-ins for S3)."""

from __future__ import annotations

import os
import uuid
from urllib.parse import urlsplit

import pytest

from regentra.local.uploads import download_route, upload_route


@pytest.fixture()
def s3(api):
    """The local presigned POST / GET endpoints, wired to the template's upload function."""
    from regentra.local.template import Template, s3_functions
    from regentra.services.deps import blob_store

    secret = os.environ["CURSOR_SECRET"]
    functions = s3_functions(Template.load())
    assert functions == ["AttachmentUploadedFunction"]
    return upload_route(secret, blob_store(), functions, api.gateway.invoke), download_route(
        secret, blob_store()
    )


def post_form(route, upload: dict, data: bytes, content_type: str | None = None) -> int:
    boundary = uuid.uuid4().hex
    fields = dict(upload["fields"])
    if content_type is not None:
        fields["Content-Type"] = content_type
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
        for k, v in fields.items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="x"\r\n'
        f"Content-Type: application/octet-stream\r\n\r\n".encode()
        + data
        + b"\r\n"
    )
    body = b"".join(parts) + f"--{boundary}--\r\n".encode()
    status, _, _ = route("", {"content-type": f"multipart/form-data; boundary={boundary}"}, body)
    return status


@pytest.fixture()
def customer(api, client_id, contact_id):
    return api.token("customer", "dana", client_id=client_id, contact_id=contact_id)


@pytest.fixture()
def ticket(api, customer):
    return api.call("POST", "/tickets", customer, {"subject": "Screen flickers", "priority": "LOW"}).body


def test_a_customer_uploads_a_screenshot_and_both_sides_can_download_it(api, s3, customer, tech, ticket):
    upload_route_, download = s3
    png = b"\x89PNG\r\n\x1a\n" + os.urandom(200)
    r = api.call(
        "POST",
        f"/tickets/{ticket['id']}/attachments",
        customer,
        {"filename": "../../etc/screen shot.png", "content_type": "image/png", "size": len(png)},
    )
    assert r.status == 201, r.body
    assert r.body["filename"] == "screen shot.png" and r.body["state"] == "pending"
    assert api.call("GET", f"/tickets/{ticket['id']}", customer).body["attachments"] == []  # not landed yet
    assert post_form(upload_route_, r.body["upload"], png) == 204
    listed = api.call("GET", f"/tickets/{ticket['id']}", tech).body["attachments"]
    assert [(a["filename"], a["size"], a["state"]) for a in listed] == [
        ("screen shot.png", len(png), "uploaded")
    ]
    for who in (customer, tech):
        link = api.call("GET", f"/tickets/{ticket['id']}/attachments/{r.body['id']}", who)
        assert link.status == 200
        token = urlsplit(link.body["download_url"]).path.removeprefix("/_local/blobs/")
        status, headers, data = download(token, {}, b"")
        assert status == 200 and data == png and "screen shot.png" in headers["Content-Disposition"]


def test_only_readers_of_the_ticket_get_a_link(api, admin, s3, ticket, tenant):
    upload_route_, _ = s3
    r = api.call(
        "POST",
        f"/tickets/{ticket['id']}/attachments",
        admin,
        {"filename": "log.txt", "content_type": "text/plain", "size": 5},
    ).body
    post_form(upload_route_, r["upload"], b"hello")
    other_client = api.call("POST", "/clients", admin, {"name": "Birch"}).body["id"]
    stranger = api.token("customer", "erik", client_id=other_client)
    assert api.call("GET", f"/tickets/{ticket['id']}/attachments/{r['id']}", stranger).status == 404
    assert (
        api.call(
            "POST",
            f"/tickets/{ticket['id']}/attachments",
            stranger,
            {"filename": "a.txt", "content_type": "text/plain", "size": 1},
        ).status
        == 404
    )
    intruder = api.token("admin", "eve", tenant_id="x-" + tenant)
    assert api.call("GET", f"/tickets/{ticket['id']}/attachments/{r['id']}", intruder).status == 404
    assert (
        api.call("GET", f"/tickets/{ticket['id']}/attachments/01NOSUCHATTACHMENT00000000", admin).status
        == 404
    )


def test_size_type_and_policy_limits(api, s3, customer, ticket):
    upload_route_, download = s3
    path = f"/tickets/{ticket['id']}/attachments"
    for bad in (
        {"filename": "a.exe", "content_type": "application/x-msdownload", "size": 10},
        {"filename": "a.png", "content_type": "image/png", "size": 11 * 1024 * 1024},
        {"filename": "a.png", "content_type": "image/png", "size": 0},
        {"filename": "a.png", "content_type": "image/png"},
        {"filename": "...", "content_type": "image/png", "size": 5},
    ):
        assert api.call("POST", path, customer, bad).status == 400, bad
    r = api.call("POST", path, customer, {"filename": "a.png", "content_type": "image/png", "size": 4}).body
    assert post_form(upload_route_, r["upload"], b"12345678") == 413  # more than the policy allows
    assert post_form(upload_route_, r["upload"], b"1234", content_type="text/html") == 403  # other type
    tampered = {
        **r["upload"],
        "fields": {**r["upload"]["fields"], "policy": r["upload"]["fields"]["policy"][:-2] + "xx"},
    }
    assert post_form(upload_route_, tampered, b"1234") == 403
    assert download("garbage", {}, b"")[0] == 403
    assert api.call("GET", f"/tickets/{ticket['id']}", customer).body["attachments"] == []
