// An issued invoice's files, fetched with the session's token and handed to the browser as a
// download (a plain link would carry no token).
import { api } from '../../api/client'

/** Downloads the invoice `id` as PDF (its e-invoice inside) or as its CII XML; false if refused. */
export async function downloadInvoice(id: string, name: string, kind: 'pdf' | 'xml'): Promise<boolean> {
  const path = { id }
  const { data } =
    kind === 'pdf'
      ? await api.GET('/v1/invoices/{id}/pdf', { params: { path }, parseAs: 'blob' })
      : await api.GET('/v1/invoices/{id}/cii.xml', { params: { path }, parseAs: 'blob' })
  if (!data) return false
  const link = document.createElement('a')
  link.href = URL.createObjectURL(data)
  link.download = `${name}.${kind}`
  link.click()
  URL.revokeObjectURL(link.href)
  return true
}
