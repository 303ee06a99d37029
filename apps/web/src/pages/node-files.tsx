// File transfer on a node's page: download a file from the agent, upload one to it. The agent
// confines both to the roots its config allows; the sha256 it verified is shown.
import { useState, type FormEvent } from 'react';
import { fleetApi, type FileUploaded } from '../api/fleet.ts';
import { TextField, errorFor, formError } from '../components/field.tsx';
import { bytes } from '../format.ts';

function saveBlob(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function NodeFiles({ agent }: { agent: string }) {
  const [path, setPath] = useState('');
  const [dest, setDest] = useState('');
  const [file, setFile] = useState<File | null>(null);
  const [busy, setBusy] = useState<'down' | 'up' | null>(null);
  const [downError, setDownError] = useState<unknown>(null);
  const [upError, setUpError] = useState<unknown>(null);
  const [downDone, setDownDone] = useState<string | null>(null);
  const [upDone, setUpDone] = useState<FileUploaded | null>(null);

  const download = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    setBusy('down');
    setDownError(null);
    setDownDone(null);
    try {
      const d = await fleetApi.download(agent, path.trim());
      saveBlob(d.blob, d.name);
      setDownDone(`${d.name}: ${bytes(d.blob.size)}, sha256 ${d.sha256 ?? '?'}`);
    } catch (err) {
      setDownError(err);
    } finally {
      setBusy(null);
    }
  };
  const upload = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    if (!file) return;
    setBusy('up');
    setUpError(null);
    setUpDone(null);
    try {
      setUpDone(await fleetApi.upload(agent, file, dest.trim()));
    } catch (err) {
      setUpError(err);
    } finally {
      setBusy(null);
    }
  };
  return (
    <section className="card" aria-labelledby="files-title">
      <h2 id="files-title">Files</h2>
      <form onSubmit={(e) => void download(e)} aria-label="Download a file" className="inline-form">
        <TextField label="Path on the agent" name="path" value={path} required placeholder="/var/log/nginx/access.log" error={errorFor(downError, 'path', 'path')}
          onChange={(e) => setPath(e.target.value)} />
        <button type="submit" disabled={busy !== null}>{busy === 'down' ? 'Downloading…' : 'Download'}</button>
      </form>
      {formError(downError, ['path'], 'path') ? <p className="form-error" role="alert">{formError(downError, ['path'], 'path')}</p> : null}
      {downDone ? <p className="muted" role="status" data-download>{downDone}</p> : null}
      <form onSubmit={(e) => void upload(e)} aria-label="Upload a file" className="inline-form">
        <div className="field">
          <label htmlFor="upload-file">File</label>
          <input id="upload-file" type="file" required onChange={(e) => setFile(e.target.files?.[0] ?? null)} />
        </div>
        <TextField label="Destination on the agent" name="dest" value={dest} required placeholder="/etc/nginx/conf.d/site.conf" error={errorFor(upError, 'dest', 'dest')}
          onChange={(e) => setDest(e.target.value)} />
        <button type="submit" disabled={busy !== null || !file}>{busy === 'up' ? 'Uploading…' : 'Upload'}</button>
      </form>
      {formError(upError, ['dest', 'file'], 'dest') ? <p className="form-error" role="alert">{formError(upError, ['dest', 'file'], 'dest')}</p> : null}
      {upDone ? <p className="muted" role="status" data-upload>Written to {upDone.path}: {bytes(upDone.size)}, sha256 <code>{upDone.sha256}</code></p> : null}
    </section>
  );
}
