import { createContext, useContext } from 'react';
import { DEFAULT_CONFIG, type UiConfig } from './api/ui-config';

export const ConfigContext = createContext<UiConfig>(DEFAULT_CONFIG);

export function useConfig(): UiConfig {
  return useContext(ConfigContext);
}
