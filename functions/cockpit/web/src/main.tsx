import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { App } from './app/App'
import { start } from './auth/session'
import { currentLanguage, setLanguage } from './i18n/i18n'
import './styles.css'

setLanguage(currentLanguage(), false)
void start()
const root = document.getElementById('root')
if (root) {
  createRoot(root).render(
    <StrictMode>
      <App />
    </StrictMode>,
  )
}
// The app works offline once loaded (cleaners in cellars): the service worker keeps it.
if ('serviceWorker' in navigator && window.isSecureContext) {
  window.addEventListener('load', () => void navigator.serviceWorker.register('/sw.js').catch(() => undefined))
}
