import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app';
import { loadUiConfig } from './api/ui-config';
import { initTheme } from './theme';
import './styles.css';

initTheme();
const root = createRoot(document.getElementById('root')!);
void loadUiConfig().then((config) =>
  root.render(
    <StrictMode>
      <App config={config} />
    </StrictMode>,
  ),
);
