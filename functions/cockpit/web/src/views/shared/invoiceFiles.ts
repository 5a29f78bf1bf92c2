// An issued invoice's files, fetched with the session's token and handed to the browser as a
// download (a plain link would carry no token).
import { api } from '../../api/client'

/** An invoice's files: its PDF (the e-invoice inside), its CII XML, its XRechnung UBL XML. */
export type InvoiceFile = 'pdf' | 'xml' | 'ubl'

/** Downloads the invoice `id` as one of its files; false if refused. */
export async function downloadInvoice(id: string, name: string, kind: InvoiceFile): Promise<boolean> {
  const params = { params: { path: { id } }, parseAs: 'blob' as const }
  const { data } =
    kind === 'pdf'
      ? await api.GET('/v1/invoices/{id}/pdf', params)
      : kind === 'xml'
        ? await api.GET('/v1/invoices/{id}/cii.xml', params)
        : await api.GET('/v1/invoices/{id}/ubl.xml', params)
  if (!data) return false
  const link = document.createElement('a')
  link.href = URL.createObjectURL(data)
  link.download = kind === 'ubl' ? `${name}-xrechnung.xml` : `${name}.${kind}`
  link.click()
  URL.revokeObjectURL(link.href)
  return true
}
