// The API names an import's bad fields `rows[i].field` (row i of the data, after the header)
// with `line N:` in the message; people read them by the line of their file.

/** The 422's row errors by line of the file: `rows[3].sizeSqm` is on line 5. */
export function rowErrors(errors: Record<string, string>): { line: number; field: string; message: string }[] {
  return Object.entries(errors)
    .map(([key, message]) => {
      const found = /^rows\[(\d+)\]\.(.+)$/.exec(key)
      const index = found ? Number(found[1]) : -1
      return { line: index + 2, field: found?.[2] ?? key, message: message.replace(/^line \d+: /, '') }
    })
    .sort((a, b) => a.line - b.line)
}
