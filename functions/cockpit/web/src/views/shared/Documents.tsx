// Documents of a site, a contract or a visit: listed, uploaded with a progress bar, downloaded
// and deleted. An upload goes straight to the bucket through the signed URL the API grants
// (the bytes never pass through a function), then the API confirms it.
import { useRef, useState } from 'react'
import { api, etag, type Schemas } from '../../api/client'
import { formatDate, formatNumber, t } from '../../i18n/i18n'
import { crc32c } from '../../lib/crc32c'
import { unwrap, useLoad } from '../../lib/useLoad'
import { Empty, Notice, Progress, Spinner } from '../../ui/kit'
import { useProblem, type Problem } from '../../ui/problem'

type DocumentView = Schemas['DocumentView']
type Link = Schemas['Link']
type Moment = Schemas['Moment']

/** What a listing is narrowed to: one of the ids a document concerns. */
export type DocumentFilter = { siteId: string } | { contractId: string } | { visitId: string } | Record<string, never>

/** The file types an upload may have, by what the browser says or the name ends with. */
const TYPES: Record<string, string> = {
  pdf: 'application/pdf',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  heic: 'image/heic',
  heif: 'image/heic',
}
export const ACCEPT = 'application/pdf,image/jpeg,image/png,image/heic,.heic,.heif'

function contentTypeOf(file: File): string {
  if (Object.values(TYPES).includes(file.type)) return file.type
  const extension = file.name.split('.').pop()?.toLowerCase() ?? ''
  return TYPES[extension] ?? file.type
}

/** Sends `bytes` with the signed request, reporting how much went; a problem if refused. */
function put(upload: Schemas['SignedUrl'], bytes: Uint8Array, onProgress: (fraction: number) => void): Promise<void> {
  // XMLHttpRequest rather than fetch: only it reports an upload's progress.
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest()
    request.open(upload.method, upload.url)
    for (const [name, value] of Object.entries(upload.headers)) request.setRequestHeader(name, value)
    request.upload.onprogress = (e) => e.lengthComputable && onProgress(e.loaded / e.total)
    request.onload = () =>
      request.status < 300
        ? resolve()
        : reject({ status: request.status, title: t('documents.uploadRefused'), detail: request.responseText.slice(0, 300), type: 'about:blank' })
    request.onerror = () => reject({ status: 0, title: t('documents.uploadFailed'), detail: '', type: 'about:blank' })
    request.send(new Blob([bytes as BlobPart]))
  })
}

/** Why `file` cannot be a document, before anything is sent (the server checks again). */
export function refusalOf(file: File): string | null {
  const type = contentTypeOf(file)
  if (!Object.values(TYPES).includes(type)) return t('documents.wrongType', { name: file.name })
  const limit = type === 'application/pdf' ? 25 : 15
  if (file.size > limit * 1024 * 1024) return t('documents.tooLarge', { name: file.name, limit })
  if (file.size === 0) return t('documents.empty', { name: file.name })
  return null
}

/** Uploads `file` as a document of `linkedTo`: granted, sent to the bucket, confirmed. */
export async function uploadDocument(file: File, linkedTo: Link, onProgress: (fraction: number) => void, moment?: Moment): Promise<DocumentView> {
  const bytes = new Uint8Array(await file.arrayBuffer())
  const refusal = refusalOf(file)
  if (refusal) throw { status: 422, title: refusal, detail: refusal, type: 'about:blank' }
  const body = { name: file.name, contentType: contentTypeOf(file), size: file.size, crc32c: crc32c(bytes), linkedTo, ...(moment ? { moment } : {}) }
  const granted = await unwrap(api.POST('/v1/documents', { body }))
  await put(granted.upload, bytes, onProgress)
  return unwrap(api.POST('/v1/documents/{id}/confirm', { params: { path: { id: granted.document.id } } }))
}

/** Saves the document under its name, its bytes fetched through a signed URL that lasts
 * minutes (the bucket allows the cockpit's origin to read it). */
export async function downloadDocument(document: DocumentView): Promise<boolean> {
  const { data } = await api.GET('/v1/documents/{id}/download', { params: { path: { id: document.id }, query: { disposition: 'attachment' } } })
  if (!data) return false
  const response = await fetch(data.url).catch(() => null)
  if (!response?.ok) return false
  // A link with `download` names the file as the document is named, in every browser (some
  // drop a Content-Disposition name they cannot convert).
  const link = window.document.createElement('a')
  link.href = URL.createObjectURL(await response.blob())
  link.download = document.name
  link.click()
  URL.revokeObjectURL(link.href)
  return true
}

function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`
  if (bytes < 1024 * 1024) return `${formatNumber(bytes / 1024, 0)} KB`
  return `${formatNumber(bytes / (1024 * 1024), 1)} MB`
}

/** What a document is: a visit's photo before or after, a PDF, an image. */
function kindOf(document: DocumentView): string {
  if (document.moment) return t(`documents.moment.${document.moment}`)
  return document.contentType === 'application/pdf' ? 'PDF' : document.contentType === 'application/xml' ? 'XML' : t('documents.photo')
}

/** The documents `filter` narrows to, newest first; an upload button when `linkedTo` is
 * given and deletes when `canDelete` says so. */
export function Documents({
  filter,
  linkedTo,
  canDelete = false,
  title = t('documents.title'),
  level = 2,
}: {
  filter: DocumentFilter
  linkedTo?: Link
  canDelete?: boolean
  title?: string
  /** The heading's level: 3 inside a panel that has its own. */
  level?: 2 | 3
}) {
  const Heading = level === 2 ? 'h2' : 'h3'
  const key = JSON.stringify(filter)
  const documents = useLoad(() => unwrap(api.GET('/v1/documents', { params: { query: { ...filter, orderBy: '-id', limit: 50 } } })), [key])
  const [sending, setSending] = useState<{ name: string; fraction: number } | null>(null)
  const problem = useProblem()
  const input = useRef<HTMLInputElement>(null)
  const id = `documents-${key.replace(/[^a-z0-9]/gi, '')}`

  const upload = async (files: FileList | null) => {
    if (!files || !linkedTo) return
    problem.clear()
    for (const file of Array.from(files)) {
      setSending({ name: file.name, fraction: 0 })
      try {
        await uploadDocument(file, linkedTo, (fraction) => setSending({ name: file.name, fraction }))
      } catch (error) {
        problem.fail(error)
        break
      }
    }
    setSending(null)
    if (input.current) input.current.value = ''
    documents.reload()
  }

  const download = async (document: DocumentView) => {
    problem.clear()
    if (!(await downloadDocument(document))) problem.fail({ status: 0, title: '', detail: t('documents.downloadFailed'), type: 'about:blank' })
  }

  const remove = async (document: DocumentView) => {
    if (!window.confirm(t('documents.confirmDelete', { name: document.name }))) return
    const { error } = await api.DELETE('/v1/documents/{id}', { params: { path: { id: document.id }, header: { 'If-Match': etag(document.version) } } })
    if (error) problem.fail(error)
    documents.reload()
  }

  return (
    <section aria-labelledby={id} className="documents">
      <div className="toolbar">
        <Heading id={id}>{title}</Heading>
        {linkedTo && (
          <label className="button primary file-button">
            {t('documents.upload')}
            <input ref={input} type="file" accept={ACCEPT} multiple onChange={(e) => void upload(e.target.files)} disabled={sending !== null} />
          </label>
        )}
      </div>
      {sending && <Progress value={sending.fraction} label={t('documents.sending', { name: sending.name })} />}
      <Refusal problem={problem} />
      {!documents.data ? (
        <Spinner />
      ) : documents.data.items.length === 0 ? (
        <Empty>{linkedTo ? t('documents.noneYet') : t('documents.none')}</Empty>
      ) : (
        <div className="table-scroll">
          <table className="table compact">
            <thead>
              <tr>
                <th scope="col">{t('documents.name')}</th>
                <th scope="col">{t('documents.kind')}</th>
                <th scope="col" className="number">
                  {t('documents.size')}
                </th>
                <th scope="col">{t('documents.added')}</th>
                <th scope="col">
                  <span className="visually-hidden">{t('documents.actions')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {documents.data.items.map((document) => (
                <tr key={document.id}>
                  <td>{document.name}</td>
                  <td>{kindOf(document)}</td>
                  <td className="number">{formatSize(document.size)}</td>
                  <td>{formatDate(document.createdAt.slice(0, 10))}</td>
                  <td className="actions">
                    <button type="button" className="button" onClick={() => void download(document)} aria-label={t('documents.downloadNamed', { name: document.name })}>
                      {t('documents.download')}
                    </button>
                    {canDelete && document.origin !== 'issued' && (
                      <button type="button" className="button" onClick={() => void remove(document)} aria-label={t('documents.deleteNamed', { name: document.name })}>
                        {t('documents.delete')}
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  )
}

/** Why an upload was refused: the API's detail and, for a 422, what each field broke (the
 * file's type, its size). */
function Refusal({ problem }: { problem: Problem }) {
  if (!problem.message) return null
  const fields = Object.values(problem.errors)
  return <Notice kind="error">{fields.length > 0 ? fields.join(' ') : problem.message}</Notice>
}

/** The cleaner's camera button on a checked-in room: a photo before or after, sent at once. */
export function VisitPhotos({ visitId, online }: { visitId: string; online: boolean }) {
  const [moment, setMoment] = useState<Moment>('after')
  const [sent, setSent] = useState(0)
  const [sending, setSending] = useState<number | null>(null)
  const problem = useProblem()
  const take = async (files: FileList | null) => {
    problem.clear()
    for (const file of Array.from(files ?? [])) {
      setSending(0)
      try {
        await uploadDocument(file, { kind: 'visit', id: visitId }, setSending, moment)
        setSent((n) => n + 1)
      } catch (error) {
        problem.fail(error)
        break
      }
    }
    setSending(null)
  }
  if (!online) return <p className="hint">{t('photos.offline')}</p>
  return (
    <div className="visit-photos">
      <div className="row">
        <select aria-label={t('photos.when')} value={moment} onChange={(e) => setMoment(e.target.value as Moment)}>
          <option value="before">{t('documents.moment.before')}</option>
          <option value="after">{t('documents.moment.after')}</option>
        </select>
        <label className="button file-button">
          {t('photos.take')}
          <input type="file" accept="image/*,.heic" capture="environment" onChange={(e) => void take(e.target.files)} disabled={sending !== null} />
        </label>
      </div>
      {sending !== null && <Progress value={sending} label={t('photos.sending')} />}
      {sent > 0 && sending === null && <p className="hint">{t('photos.sent', { count: sent })}</p>}
      <Refusal problem={problem} />
    </div>
  )
}
