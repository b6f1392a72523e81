// The reviewer console's entry: read config.json, then render.
import { render } from 'preact';
import { App } from './app';
import { loadConfig } from './config';
import './styles.css';

const root = document.getElementById('app')!;
void loadConfig().then((config) => render(<App config={config} />, root));
