//! Text made safe for HTML (and inline SVG) element content and quoted attribute values,
//! whoever wrote it: names and errors come from servers we do not trust.

/// Escapes the characters with a meaning in markup and replaces control characters, which
/// HTML cannot carry, with U+FFFD; tabs and line feeds stay (they matter in `<pre>`).
pub fn html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\n' | '\t' => out.push(c),
            c if c.is_control() => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::html;

    #[test]
    fn markup_quotes_and_control_characters_are_neutralised() {
        assert_eq!(
            html(r#"<img src=x onerror="a('b')">&"#),
            "&lt;img src=x onerror=&quot;a(&#39;b&#39;)&quot;&gt;&amp;"
        );
        assert_eq!(html("a\u{0}b\u{1b}[31m\r\n\tc"), "a\u{FFFD}b\u{FFFD}[31m\u{FFFD}\n\tc");
        assert_eq!(html("Zürich"), "Zürich");
    }
}
