// The one i18n layer: every visible string is a key of the English dictionary, translated in
// zh-CN.ts (the compiler refuses a missing key). `{name}` placeholders are filled from `vars`.
import { createContext, type ReactNode, useContext, useMemo, useState } from 'react';
import { en } from './locales/en';
import { zhCN } from './locales/zh-CN';

export type MessageKey = keyof typeof en;
export const languages = { en: 'English', 'zh-CN': '简体中文' } as const;
export type Lang = keyof typeof languages;

const dictionaries: Record<Lang, Record<MessageKey, string>> = { en, 'zh-CN': zhCN };
const LANG_KEY = 'switchyard.lang';

function initialLang(): Lang {
  const saved = localStorage.getItem(LANG_KEY);
  if (saved === 'en' || saved === 'zh-CN') return saved;
  return navigator.language.toLowerCase().startsWith('zh') ? 'zh-CN' : 'en';
}

export type Translate = (key: MessageKey, vars?: Record<string, string | number>) => string;

interface I18n {
  lang: Lang;
  setLang(lang: Lang): void;
  t: Translate;
}

const Ctx = createContext<I18n | null>(null);

export function I18nProvider({ children }: { children: ReactNode }) {
  const [lang, setLangState] = useState<Lang>(initialLang);
  const value = useMemo<I18n>(() => {
    const dict = dictionaries[lang];
    document.documentElement.lang = lang;
    return {
      lang,
      setLang(next) {
        localStorage.setItem(LANG_KEY, next);
        setLangState(next);
      },
      t: (key, vars) => {
        const text = dict[key];
        return vars ? text.replace(/\{(\w+)\}/g, (m, name: string) => String(vars[name] ?? m)) : text;
      },
    };
  }, [lang]);
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

export function useI18n(): I18n {
  const v = useContext(Ctx);
  if (!v) throw new Error('useI18n outside I18nProvider');
  return v;
}
