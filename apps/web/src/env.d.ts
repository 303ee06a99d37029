// Stylesheets are bundled by Vite; for the type checker they are modules without exports.
declare module '*.css';
