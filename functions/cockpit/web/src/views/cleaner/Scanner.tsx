// The camera reads a room's QR label: the browser's BarcodeDetector where it has one, else
// the ZXing decoder (loaded only now, so it never weighs on the app's first load). A label
// that will not scan is typed in instead.
import { useEffect, useRef, useState, type FormEvent } from 'react'
import { t } from '../../i18n/i18n'

interface Detector {
  detect(source: HTMLVideoElement): Promise<{ rawValue: string }[]>
}

declare global {
  interface Window {
    BarcodeDetector?: new (options: { formats: string[] }) => Detector
  }
}

/**
 * `known`: what to do with a code the camera sees: take it, or say why not and look on (a
 * label of a room already done, still in the picture after the last scan). A typed code is
 * always taken: she meant it.
 */
export function Scanner({ onCode, known, onClose }: { onCode: (code: string) => void; known: (code: string) => string | null; onClose: () => void }) {
  const video = useRef<HTMLVideoElement>(null)
  const [problem, setProblem] = useState<string | null>(null)
  const [typed, setTyped] = useState('')
  const done = useRef(false)
  // The camera runs once for the scanner's life, whatever the screen behind re-renders.
  const deliver = useRef(onCode)
  const seen = useRef(known)
  const [skipped, setSkipped] = useState<string | null>(null)
  useEffect(() => {
    deliver.current = onCode
    seen.current = known
  }, [onCode, known])
  useEffect(() => {
    // Closed before the camera started: it stops as soon as it has.
    let closed = false
    let stop = () => undefined as void
    const stopWith = (halt: () => void) => {
      stop = halt
      if (closed) halt()
    }
    const found = (code: string) => {
      if (done.current) return
      const why = seen.current(code.trim())
      if (why) return setSkipped(why)
      done.current = true
      deliver.current(code.trim())
    }
    const start = async () => {
      if (!navigator.mediaDevices?.getUserMedia) throw new Error(t('scan.noCamera'))
      const element = video.current
      if (!element) return
      if (window.BarcodeDetector) {
        const stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' }, audio: false })
        element.srcObject = stream
        await element.play()
        const detector = new window.BarcodeDetector({ formats: ['qr_code'] })
        const timer = setInterval(() => {
          detector.detect(element).then((codes) => codes[0] && found(codes[0].rawValue), () => undefined)
        }, 200)
        stopWith(() => {
          clearInterval(timer)
          stream.getTracks().forEach((track) => track.stop())
        })
      } else {
        const { BrowserQRCodeReader } = await import('@zxing/browser')
        const controls = await new BrowserQRCodeReader(undefined, { delayBetweenScanAttempts: 150 }).decodeFromConstraints(
          { video: { facingMode: 'environment' }, audio: false },
          element,
          (result) => result && found(result.getText()),
        )
        stopWith(() => controls.stop())
      }
    }
    start().catch((error: unknown) => setProblem(error instanceof Error ? error.message : String(error)))
    return () => {
      closed = true
      stop()
    }
  }, [])
  const submit = (event: FormEvent) => {
    event.preventDefault()
    if (typed.trim()) onCode(typed.trim())
  }
  return (
    <div className="scanner" role="dialog" aria-modal="true" aria-labelledby="scan-title">
      <header>
        <h2 id="scan-title">{t('scan.title')}</h2>
        <button type="button" className="button" onClick={onClose}>
          {t('common.close')}
        </button>
      </header>
      <div className="viewfinder">
        <video ref={video} muted playsInline aria-label={t('scan.camera')} />
        <div className="frame" aria-hidden="true" />
      </div>
      <p className="muted" role="status">
        {problem ? t('scan.cameraProblem', { problem }) : (skipped ?? t('scan.hint'))}
      </p>
      <form onSubmit={submit} className="manual">
        <label htmlFor="typed-code">{t('scan.typeCode')}</label>
        <div className="row">
          <input id="typed-code" value={typed} onChange={(e) => setTyped(e.target.value)} autoCapitalize="characters" spellCheck={false} />
          <button className="button">{t('scan.useCode')}</button>
        </div>
      </form>
    </div>
  )
}
