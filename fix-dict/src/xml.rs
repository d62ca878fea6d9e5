//! quick-xml -> a small element tree that remembers each element's line, for error messages.

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

use crate::error::Error;

/// One XML element with its attributes and child elements (text is ignored: QuickFIX
/// dictionaries carry everything in attributes).
#[derive(Debug, Clone)]
pub struct Element {
    /// Tag name (`field`, `message`, ...).
    pub name: String,
    /// Attributes in document order.
    pub attrs: Vec<(String, String)>,
    /// Child elements in document order.
    pub children: Vec<Element>,
    /// 1-based line of the start tag.
    pub line: usize,
}

impl Element {
    /// The value of attribute `name`.
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The first child named `name`.
    pub fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    /// A short description for error messages: `<field name='Side'> at line 12`.
    pub fn describe(&self) -> String {
        let key = self.attr("name").or_else(|| self.attr("number"));
        match key {
            Some(k) => format!("<{} name='{}'> at line {}", self.name, k, self.line),
            None => format!("<{}> at line {}", self.name, self.line),
        }
    }
}

fn line_of(text: &str, pos: usize) -> usize {
    text.as_bytes()[..pos.min(text.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// Counts lines incrementally: positions only move forward while parsing.
struct Lines<'t> {
    text: &'t [u8],
    pos: usize,
    line: usize,
}

impl Lines<'_> {
    fn at(&mut self, pos: usize) -> usize {
        let pos = pos.min(self.text.len());
        if pos < self.pos {
            return line_of_bytes(self.text, pos);
        }
        self.line += self.text[self.pos..pos]
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
        self.pos = pos;
        self.line
    }
}

fn line_of_bytes(text: &[u8], pos: usize) -> usize {
    text[..pos].iter().filter(|&&b| b == b'\n').count() + 1
}

fn element(start: &BytesStart<'_>, line: usize) -> Result<Element, Error> {
    let name = String::from_utf8_lossy(start.name().as_ref()).into_owned();
    let mut attrs = Vec::new();
    for a in start.attributes() {
        let a = a.map_err(|e| Error::Xml {
            line,
            message: e.to_string(),
        })?;
        let key = String::from_utf8_lossy(a.key.as_ref()).into_owned();
        let value = a
            .unescape_value()
            .map_err(|e| Error::Xml {
                line,
                message: e.to_string(),
            })?
            .into_owned();
        attrs.push((key, value));
    }
    Ok(Element {
        name,
        attrs,
        children: Vec::new(),
        line,
    })
}

/// Parses a whole document and returns its root element.
pub fn parse(text: &str) -> Result<Element, Error> {
    let mut reader = Reader::from_str(text);
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    let mut lines = Lines {
        text: text.as_bytes(),
        pos: 0,
        line: 1,
    };
    loop {
        let pos = reader.buffer_position() as usize;
        let ev = reader.read_event().map_err(|e| Error::Xml {
            line: line_of(text, pos),
            message: e.to_string(),
        })?;
        match ev {
            Event::Start(s) => stack.push(element(&s, lines.at(pos))?),
            Event::Empty(s) => {
                let el = element(&s, lines.at(pos))?;
                match stack.last_mut() {
                    Some(parent) => parent.children.push(el),
                    None => root = Some(el),
                }
            }
            Event::End(_) => {
                let Some(el) = stack.pop() else {
                    return Err(Error::Xml {
                        line: line_of(text, pos),
                        message: "unbalanced end tag".into(),
                    });
                };
                match stack.last_mut() {
                    Some(parent) => parent.children.push(el),
                    None => root = Some(el),
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if !stack.is_empty() {
        return Err(Error::Xml {
            line: line_of(text, text.len()),
            message: "document ends inside an element".into(),
        });
    }
    root.ok_or(Error::Xml {
        line: 1,
        message: "no root element".into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_single_and_double_quotes_and_lines() {
        let doc = "<fix type='FIX'>\n <header/>\n <fields>\n  <field number=\"1\" name='Account' type='STRING'/>\n </fields>\n</fix>";
        let root = parse(doc).unwrap();
        assert_eq!(root.attr("type"), Some("FIX"));
        let f = &root.child("fields").unwrap().children[0];
        assert_eq!(f.attr("number"), Some("1"));
        assert_eq!(f.line, 4);
        assert!(root.child("header").unwrap().children.is_empty());
    }

    #[test]
    fn broken_xml_is_an_error_with_a_line() {
        let err = parse("<fix>\n<fields>\n</fix>").unwrap_err();
        assert!(matches!(err, Error::Xml { line, .. } if line >= 2), "{err}");
    }
}
