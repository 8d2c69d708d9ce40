//! Word wrapping for the text under the table: lines break at spaces, never inside a word.

use unicode_width::UnicodeWidthStr;

/// `text` broken at spaces into lines at most `width` columns wide (a word longer than that
/// stands alone on its line), the first line starting with `first`, the others with `rest`;
/// one line when `width` is `None` (`--wide`).
pub fn wrap(text: &str, width: Option<usize>, first: &str, rest: &str) -> Vec<String> {
    let Some(width) = width else { return vec![format!("{first}{text}")] };
    let mut lines = Vec::new();
    let mut line = first.to_string();
    let mut empty = true;
    for word in text.split(' ').filter(|w| !w.is_empty()) {
        if !empty && line.width() + 1 + word.width() > width {
            lines.push(std::mem::replace(&mut line, rest.to_string()));
            empty = true;
        }
        if !empty {
            line.push(' ');
        }
        line.push_str(word);
        empty = false;
    }
    lines.push(line);
    lines
}

#[cfg(test)]
mod tests {
    use super::wrap;

    #[test]
    fn lines_break_between_words() {
        let text = "would our certificate be sent? sends: dotnet, gnutls, go, java-pkix";
        assert_eq!(
            wrap(text, Some(30), "  ", "    "),
            ["  would our certificate be", "    sent? sends: dotnet,", "    gnutls, go, java-pkix"]
        );
        assert_eq!(wrap(text, None, "  ", "    "), [format!("  {text}")]);
    }

    #[test]
    fn a_word_longer_than_the_line_stands_alone_unbroken() {
        let long = "C=CH,O=Very-Long-Organisation-Name-Without-Spaces";
        assert_eq!(wrap(&format!("a {long} b"), Some(20), "", ""), ["a", long, "b"]);
    }

    #[test]
    fn every_line_fits_when_words_do() {
        let text = "error: connect to 127.0.0.1:1 failed: Connection refused (os error 111); is the port right?";
        for width in 20..100 {
            for line in wrap(text, Some(width), "  ", "    ") {
                assert!(line.chars().count() <= width, "{width}: {line:?}");
            }
        }
    }
}
