// Screenshots of the web app as a learner sees it, after the page has run for a while (chromium headless over the
// DevTools protocol; the look-at-page tool's virtual time never delivers WebSocket frames). Writes the docs/images.
// Usage: node --experimental-websocket tools/page-screenshot.mjs URL [--size WxH] [--wait ms] [--until js] [--eval js]
//        [--move x,y] [--click x,y] [--shot file] [--full file] ...   (steps run in order)
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
const args = process.argv.slice(2);
const url = args.shift();
let size = '1400x1000';
const si = args.indexOf('--size'); if (si >= 0) { size = args[si + 1]; args.splice(si, 2); }
const [W, H] = size.split('x').map(Number);
const port = 9333 + Math.floor(Math.random() * 500);
const chrome = spawn('/usr/lib/chromium/chromium', ['--headless', '--no-sandbox', '--disable-gpu', '--hide-scrollbars', `--remote-debugging-port=${port}`, `--window-size=${W},${H}`, 'about:blank'], { stdio: 'ignore' });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
let targets;
for (let i = 0; i < 50; i++) { try { targets = await (await fetch(`http://127.0.0.1:${port}/json`)).json(); break; } catch { await sleep(100); } }
const page = targets.find((t) => t.type === 'page');
const ws = new WebSocket(page.webSocketDebuggerUrl);
await new Promise((r) => ws.addEventListener('open', r));
let id = 0; const pending = new Map();
ws.addEventListener('message', (e) => {
  const m = JSON.parse(e.data);
  if (m.id && pending.has(m.id)) { pending.get(m.id)(m); pending.delete(m.id); }
  else if (m.method === 'Runtime.consoleAPICalled' && m.params.type !== 'warning') console.log('console.' + m.params.type, m.params.args.map((a) => a.value ?? a.description).join(' '));
  else if (m.method === 'Runtime.exceptionThrown') console.log('EXCEPTION', JSON.stringify(m.params.exceptionDetails).slice(0, 800));
  else if (m.method === 'Log.entryAdded' && !/inside.js|upload.js|images.js/.test(m.params.entry.url || '')) console.log('log.' + m.params.entry.level, m.params.entry.text, m.params.entry.url || '');
});
const send = (method, params = {}) => new Promise((r) => { const i = ++id; pending.set(i, r); ws.send(JSON.stringify({ id: i, method, params })); });
await send('Runtime.enable'); await send('Log.enable'); await send('Page.enable');
await send('Emulation.setDeviceMetricsOverride', { width: W, height: H, deviceScaleFactor: 1, mobile: false });
await send('Page.navigate', { url });
for (let i = 0; i < args.length; i += 2) {
  const [k, v] = [args[i], args[i + 1]];
  if (k === '--wait') await sleep(Number(v));
  else if (k === '--until') { for (let t = 0; t < 200; t++) { const r = await send('Runtime.evaluate', { expression: v, returnByValue: true }); if (r.result.result?.value) break; await sleep(100); } }
  else if (k === '--eval') { const r = await send('Runtime.evaluate', { expression: v, awaitPromise: true, returnByValue: true }); console.log('=>', v.slice(0, 70), ':', JSON.stringify(r.result.result?.value ?? r.result.exceptionDetails?.exception?.description ?? r.result).slice(0, 400)); }
  else if (k === '--shot') { const r = await send('Page.captureScreenshot', { format: 'png', captureBeyondViewport: false }); writeFileSync(v, Buffer.from(r.result.data, 'base64')); console.log('shot', v); }
  else if (k === '--full') { const r = await send('Page.captureScreenshot', { format: 'png', captureBeyondViewport: true }); writeFileSync(v, Buffer.from(r.result.data, 'base64')); console.log('shot', v); }
  else if (k === '--move') { const [x, y] = v.split(',').map(Number); await send('Input.dispatchMouseEvent', { type: 'mouseMoved', x, y }); }
  else if (k === '--click') { const [x, y] = v.split(',').map(Number); await send('Input.dispatchMouseEvent', { type: 'mouseMoved', x, y }); await send('Input.dispatchMouseEvent', { type: 'mousePressed', x, y, button: 'left', clickCount: 1 }); await send('Input.dispatchMouseEvent', { type: 'mouseReleased', x, y, button: 'left', clickCount: 1 }); }
}
chrome.kill();
process.exit(0);
