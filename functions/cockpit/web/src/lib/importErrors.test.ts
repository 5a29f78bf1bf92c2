import { describe, expect, it } from 'vitest'
import { rowErrors } from './importErrors'

describe('the import preview', () => {
  it("places the API's row errors on the file's lines, in order", () => {
    expect(
      rowErrors({
        'rows[3].sizeSqm': 'line 5: must be a number',
        'rows[0].areaType': 'line 2: no area type is named "Bureau"',
        csv: 'has no header row',
      }),
    ).toEqual([
      { line: 1, field: 'csv', message: 'has no header row' },
      { line: 2, field: 'areaType', message: 'no area type is named "Bureau"' },
      { line: 5, field: 'sizeSqm', message: 'must be a number' },
    ])
  })
})
