using System.Globalization;
using System.Text;

namespace Sportello.Web;

/// <summary>
/// Characters that change how text reads without being seen: the bidirectional overrides and isolates can make
/// "gpj.exe" read as "exe.jpg", or reorder a sentence. One rule for mail subjects and bodies; names take a wider one.
/// </summary>
public static class InvisibleText
{
    /// <summary>
    /// What a name (a file's) never needs, though text may (emoji joiners): controls, line breaks, and every format
    /// character, not only the zero-width and direction ones: soft hyphens, tag letters, U+180E and U+206A-206F hide an extension as well.
    /// </summary>
    public static bool IsUnseenInAName(Rune rune) => Rune.GetUnicodeCategory(rune)
        is UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator;

    public static bool IsDirectionControl(char c) => c is (>= '\u202A' and <= '\u202E') or (>= '\u2066' and <= '\u2069');
}
