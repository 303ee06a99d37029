import { useState, type FormEvent } from 'react';
import { api } from '../api/client.ts';
import type { Role } from '../api/types.ts';
import { SelectField, TextField, errorFor, formError, text } from '../components/field.tsx';
import { Problem } from '../components/layout.tsx';
import { time } from '../format.ts';
import { useApi } from '../use-api.ts';

const FIELDS = ['email', 'name', 'role', 'password'];

export function UsersSettings() {
  const list = useApi('/api/dash/users');
  const [error, setError] = useState<unknown>(null);
  const [created, setCreated] = useState<string | null>(null);
  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = e.currentTarget;
    const f = new FormData(form);
    setError(null);
    setCreated(null);
    try {
      const u = await api.post('/api/dash/users', { email: text(f, 'email').trim(), name: text(f, 'name').trim(), role: text(f, 'role') as Role, password: text(f, 'password') });
      setCreated(u.email);
      form.reset();
      list.reload();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <>
      <section className="card" aria-labelledby="users-title">
        <h2 id="users-title">Users</h2>
        <Problem error={list.error} />
        <div className="table-wrap">
          <table data-table="users">
            <thead><tr><th scope="col">Name</th><th scope="col">Email</th><th scope="col">Role</th><th scope="col" className="hide-sm">Created</th></tr></thead>
            <tbody>{list.data?.map((u) => (
              <tr key={u.id}><th scope="row">{u.name}{u.disabled ? <span className="muted"> (disabled)</span> : null}</th><td>{u.email}</td><td>{u.role}</td><td className="hide-sm">{time(u.created_at)}</td></tr>
            ))}</tbody>
          </table>
        </div>
      </section>
      <section className="card" aria-labelledby="new-user">
        <h2 id="new-user">Add a user</h2>
        {created ? <p className="notice" role="status">{created} can sign in now.</p> : null}
        {/* A duplicate email (409) names no field: it belongs to the email. */}
        <form onSubmit={(e) => void submit(e)} className="form-grid" noValidate>
          {formError(error, FIELDS, 'email') ? <p className="problem" role="alert">{formError(error, FIELDS, 'email')}</p> : null}
          <TextField label="Email" name="email" type="email" required error={errorFor(error, 'email', 'email')} />
          <TextField label="Name" name="name" required error={errorFor(error, 'name')} />
          <SelectField label="Role" name="role" options={['viewer', 'operator', 'admin']} error={errorFor(error, 'role')} />
          <TextField label="Password" name="password" type="password" autoComplete="new-password" required hint="At least 12 characters" error={errorFor(error, 'password')} />
          <div className="form-actions"><button type="submit" className="primary">Add user</button></div>
        </form>
      </section>
    </>
  );
}
