document.getElementById('root')!.textContent = 'Skein UI is being built';
