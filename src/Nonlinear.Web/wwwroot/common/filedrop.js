// A file drop zone, as the CSV upload and the Model tab use it: Enter or Space on the zone opens the file picker (its
// hidden <input type="file">), a picked or dropped file goes to `onFile`, and the zone carries the class `over` while
// a file is dragged over it.

/** Wires `drop` (the zone) and `input` (its file input) to call `onFile(file)` with the chosen file. */
export function wireFileDrop(drop, input, onFile) {
  input.addEventListener('change', () => {
    if (input.files && input.files[0]) {
      onFile(input.files[0]);
    }
  });
  drop.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      input.click();
    }
  });
  drop.addEventListener('dragover', (e) => {
    e.preventDefault();
    drop.classList.add('over');
  });
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', (e) => {
    e.preventDefault();
    drop.classList.remove('over');
    const file = e.dataTransfer && e.dataTransfer.files && e.dataTransfer.files[0];
    if (file) {
      onFile(file);
    }
  });
}
