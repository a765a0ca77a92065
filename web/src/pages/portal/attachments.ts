// Portal attachments (README "Portal attachments"): ask the API for a presigned POST, then post the
// file straight to the blob store with the form fields it gave; the store's "Object Created" event
// lists the file on the ticket. Downloads: GET the attachment for a short-lived link.
import { api, ApiError } from "../../api/client";
import type { AttachmentDownload, AttachmentView, CreateAttachment, StartedUpload } from "../../api/types";

/** The presigned POST (`UploadForm`): checked all the same, since a bad one would only fail at the store. */
function presignedPost(upload: StartedUpload["upload"]): { url: string; fields: Record<string, string>; method: string } {
  const url = upload?.url;
  const fields = upload?.fields;
  if (typeof url !== "string" || !fields || typeof fields !== "object") {
    throw new ApiError(500, "bad_upload", "The server did not return an upload form.");
  }
  return {
    url,
    fields: Object.fromEntries(Object.entries(fields as Record<string, unknown>).map(([k, v]) => [k, String(v)])),
    method: typeof upload.method === "string" ? upload.method : "POST",
  };
}

export const MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024;

// The same list the API accepts (services/attachments.py ALLOWED_TYPES), for the file picker.
export const ACCEPTED_TYPES = [
  "image/png",
  "image/jpeg",
  "image/gif",
  "image/webp",
  "application/pdf",
  "text/plain",
  "text/csv",
  "application/zip",
  "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
  "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
  "application/msword",
  "application/vnd.ms-excel",
  "message/rfc822",
].join(",");

/** The local stack signs uploads for its own origin; through the dev server's proxy keep the path. */
function uploadUrl(url: string): string {
  try {
    const u = new URL(url, window.location.href);
    if (u.origin !== window.location.origin && u.pathname.startsWith("/_local/")) return u.pathname + u.search;
  } catch {
    /* not a URL: use as is */
  }
  return url;
}

export async function uploadAttachment(ticketId: string, file: File): Promise<AttachmentView> {
  const body: CreateAttachment = {
    filename: file.name,
    content_type: file.type || "application/octet-stream",
    size: file.size,
  };
  const started = await api.post<StartedUpload>(`/tickets/${encodeURIComponent(ticketId)}/attachments`, body);
  const post = presignedPost(started.upload);
  const form = new FormData();
  for (const [k, v] of Object.entries(post.fields)) form.append(k, v);
  form.append("file", file);
  const res = await fetch(uploadUrl(post.url), { method: post.method, body: form });
  if (!res.ok) {
    let message = `Upload failed (HTTP ${res.status})`;
    let code = "upload_failed";
    try {
      const data = await res.json();
      message = data?.error?.message ?? message;
      code = data?.error?.code ?? code;
    } catch {
      /* S3 answers XML; keep the status */
    }
    throw new ApiError(res.status, code, `${file.name}: ${message}`);
  }
  const { upload: _upload, ...attachment } = started;
  void _upload;
  return attachment;
}

export async function downloadLink(ticketId: string, attachmentId: string): Promise<string> {
  const a = await api.get<AttachmentDownload>(
    `/tickets/${encodeURIComponent(ticketId)}/attachments/${encodeURIComponent(attachmentId)}`,
  );
  return a.download_url;
}

export function fmtSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
