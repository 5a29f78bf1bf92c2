// CRC32C (Castagnoli), the checksum Cloud Storage keeps of every object: an upload promises
// it, the bucket refuses other bytes, and the server compares it before the document shows.

const TABLE = (() => {
  const table = new Uint32Array(256)
  for (let n = 0; n < 256; n++) {
    let c = n
    for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1
    table[n] = c >>> 0
  }
  return table
})()

/** The CRC32C of `bytes` as Cloud Storage writes it: the big-endian bytes in base64. */
export function crc32c(bytes: Uint8Array): string {
  let crc = 0xffffffff
  for (const byte of bytes) crc = (TABLE[(crc ^ byte) & 0xff] ?? 0) ^ (crc >>> 8)
  crc = (crc ^ 0xffffffff) >>> 0
  const big = [crc >>> 24, (crc >>> 16) & 0xff, (crc >>> 8) & 0xff, crc & 0xff]
  return btoa(String.fromCharCode(...big))
}
