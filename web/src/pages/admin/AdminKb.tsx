// /admin/kb: knowledge-base articles (POST/GET /kb/articles, GET/PUT/DELETE /kb/articles/{id}):
// title, Markdown body (with a preview) and tags. AI reply drafts cite these articles.
import { useState, type FormEvent } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link, Route, Routes, useNavigate, useParams } from "react-router-dom";
import { api } from "../../api/client";
import type { KbArticleBody, KbArticleView } from "../../api/types";
import { DeleteButton, ErrorBox, fetchAllPages, FieldError, fmtTime, Loading, SaveActions } from "./ui";
import { Markdown } from "./Markdown";

const listKey = ["admin", "kb"];

export function AdminKb() {
  return (
    <Routes>
      <Route index element={<ArticleList />} />
      <Route path="new" element={<ArticleEditor />} />
      <Route path=":articleId" element={<ArticleEditor />} />
    </Routes>
  );
}

function ArticleList() {
  const qc = useQueryClient();
  const [filter, setFilter] = useState("");
  // Every page (the list is filtered and sorted here; a KB has hundreds of articles, not millions).
  const q = useQuery({
    queryKey: listKey,
    queryFn: async () => ({ items: await fetchAllPages<KbArticleView>("/kb/articles") }),
  });
  const del = useMutation({
    mutationFn: (id: string) => api.del(`/kb/articles/${encodeURIComponent(id)}`),
    onSuccess: () => qc.invalidateQueries({ queryKey: listKey }),
  });
  const f = filter.trim().toLowerCase();
  const items = (q.data?.items ?? [])
    .filter((a) => !f || a.title.toLowerCase().includes(f) || a.tags.some((t) => t.toLowerCase().includes(f)))
    .sort((a, b) => a.title.localeCompare(b.title));
  return (
    <section aria-labelledby="kb-title">
      <div className="page-head">
        <h2 id="kb-title">Knowledge base</h2>
        <Link className="button primary" to="new" data-testid="kb-new">
          New article
        </Link>
      </div>
      <label className="search">
        <span className="sr-only">Filter articles</span>
        <input
          type="search"
          placeholder="Filter by title or tag"
          value={filter}
          onChange={(e) => setFilter(e.target.value)}
          data-testid="kb-filter"
        />
      </label>
      <ErrorBox error={q.error} />
      <ErrorBox error={del.error} />
      {q.isPending ? (
        <Loading what="articles" />
      ) : items.length === 0 && !q.error ? (
        <p className="muted">{f ? "No article matches." : "No articles yet."}</p>
      ) : (
        <table className="data-table" data-testid="kb-articles">
          <thead>
            <tr>
              <th scope="col">Title</th>
              <th scope="col">Tags</th>
              <th scope="col">Updated</th>
              <th scope="col">
                <span className="sr-only">Manage</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {items.map((a) => (
              <tr key={a.id} data-testid={`kb-row-${a.id}`}>
                <td>
                  <Link to={a.id}>{a.title}</Link>
                </td>
                <td>
                  {a.tags.map((t) => (
                    <span key={t} className="tag">
                      {t}
                    </span>
                  ))}
                </td>
                <td>{fmtTime(a.updated_at)}</td>
                <td className="row-actions">
                  <Link to={a.id}>Edit</Link>
                  <DeleteButton confirm={`Delete "${a.title}"?`} onDelete={() => del.mutate(a.id)} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function ArticleEditor() {
  const { articleId } = useParams();
  const q = useQuery({
    queryKey: ["admin", "kb-article", articleId],
    queryFn: () => api.get<KbArticleView>(`/kb/articles/${encodeURIComponent(articleId!)}`),
    enabled: !!articleId,
  });
  if (articleId && q.isPending) return <Loading what="the article" />;
  if (articleId && q.error) return <ErrorBox error={q.error} />;
  return (
    <section aria-labelledby="kb-edit-title">
      <p>
        <Link to="/admin/kb">← All articles</Link>
      </p>
      <h2 id="kb-edit-title">{articleId ? "Edit article" : "New article"}</h2>
      <ArticleForm key={articleId ?? "new"} articleId={articleId} initial={q.data} />
    </section>
  );
}

function ArticleForm({ articleId, initial }: { articleId?: string; initial?: KbArticleView }) {
  const qc = useQueryClient();
  const navigate = useNavigate();
  const [title, setTitle] = useState(initial?.title ?? "");
  const [body, setBody] = useState(initial?.body ?? "");
  const [tags, setTags] = useState((initial?.tags ?? []).join(", "));
  const [preview, setPreview] = useState(false);
  const save = useMutation({
    mutationFn: (req: KbArticleBody) =>
      articleId
        ? api.put<KbArticleView>(`/kb/articles/${encodeURIComponent(articleId)}`, req)
        : api.post<KbArticleView>("/kb/articles", req),
    onSuccess: (a) => {
      qc.invalidateQueries({ queryKey: listKey });
      qc.setQueryData(["admin", "kb-article", a.id], a);
      navigate("/admin/kb");
    },
  });
  function submit(e: FormEvent) {
    e.preventDefault();
    save.mutate({
      title,
      body,
      tags: tags
        .split(",")
        .map((t) => t.trim())
        .filter(Boolean),
    });
  }
  return (
    <form className="form" onSubmit={submit} data-testid="kb-form" noValidate>
      <label htmlFor="kb-title-input">Title</label>
      <input id="kb-title-input" data-testid="kb-title" value={title} onChange={(e) => setTitle(e.target.value)} required />
      <FieldError error={save.error} field="title" />

      <div className="label-row">
        <label htmlFor="kb-body">Body (Markdown; each heading is a section the AI can cite)</label>
        <button type="button" className="link" aria-pressed={preview} onClick={() => setPreview(!preview)}>
          {preview ? "Edit" : "Preview"}
        </button>
      </div>
      {preview ? (
        <div className="pa-card preview" data-testid="kb-preview">
          <Markdown source={body} />
        </div>
      ) : (
        <textarea
          id="kb-body"
          data-testid="kb-body"
          className="mono"
          rows={16}
          value={body}
          onChange={(e) => setBody(e.target.value)}
        />
      )}
      <FieldError error={save.error} field="body" />

      <label htmlFor="kb-tags">Tags (comma separated)</label>
      <input id="kb-tags" data-testid="kb-tags" value={tags} onChange={(e) => setTags(e.target.value)} />
      <FieldError error={save.error} field="tags" />

      <ErrorBox error={save.error} inlineFields={["title", "body", "tags"]} />
      <SaveActions pending={save.isPending} label="Save article" testId="kb-save">
        <Link to="/admin/kb">Cancel</Link>
      </SaveActions>
    </form>
  );
}
