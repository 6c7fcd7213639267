/** Hands `blob` to the browser as a download named `filename`. */
export function downloadBlob(blob: Blob, filename: string) {
  const url = URL.createObjectURL(blob);
  try {
    const a = document.createElement('a');
    a.href = url;
    a.download = filename;
    a.style.display = 'none';
    document.body.appendChild(a);
    a.click();
    a.remove();
  } finally {
    // Revoke after the click has been handled; revoking synchronously can cancel it.
    setTimeout(() => URL.revokeObjectURL(url), 0);
  }
}
