import { describe, expect, it } from 'vitest'
import { crc32c } from './crc32c'

describe('crc32c', () => {
  it('gives what Cloud Storage gives', () => {
    // fake-gcs-server and Cloud Storage answer these for the same bytes.
    expect(crc32c(new TextEncoder().encode('hello'))).toBe('mnG7TA==')
    expect(crc32c(new Uint8Array())).toBe('AAAAAA==')
  })

  it('is the standard check value over 123456789', () => {
    // 0xE3069283, RFC 3720's CRC32C of the ASCII digits.
    expect(crc32c(new TextEncoder().encode('123456789'))).toBe(btoa(String.fromCharCode(0xe3, 0x06, 0x92, 0x83)))
  })
})
