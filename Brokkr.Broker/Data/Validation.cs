using System.Text;
using Brokkr.Broker.Errors;

namespace Brokkr.Broker.Data;

/// <summary>Model rules the upstream endpoints skip (spec §1.3, §1.8, §4): enforced here → 400 with a code.</summary>
public static class Validation
{
    public const int MaxTagBytes = 64;
    public const int MaxNameLength = 255;

    /// <summary>Labels, annotation keys and values: non-blank, ≤64 UTF-8 bytes, no whitespace or control characters.</summary>
    public static string Tag(string? value, string code, string what)
    {
        var trimmed = value?.Trim() ?? "";
        if (trimmed.Length == 0)
            throw ApiException.BadRequest(code, $"{what} must not be empty");
        if (Encoding.UTF8.GetByteCount(trimmed) > MaxTagBytes)
            throw ApiException.BadRequest(code, $"{what} must be at most {MaxTagBytes} bytes");
        if (trimmed.Any(char.IsWhiteSpace))
            throw ApiException.BadRequest(code, $"{what} must not contain whitespace");
        RequireNoControlCharacters(trimmed, code, what);
        return trimmed;
    }

    /// <summary>Names: non-blank, at most <paramref name="maxLength"/> (the column's size) characters, no control characters.</summary>
    public static string Name(string? value, string code, string what, int maxLength = MaxNameLength)
    {
        if (string.IsNullOrWhiteSpace(value))
            throw ApiException.BadRequest(code, $"{what} must not be blank");
        if (value.Length > maxLength)
            throw ApiException.BadRequest(code, $"{what} must be at most {maxLength} characters");
        RequireNoControlCharacters(value, code, what);
        return value;
    }

    /// <summary>
    /// Control characters have no place in identifiers, and PostgreSQL refuses NUL in any text (SQLSTATE 22021);
    /// rejecting them here names the field, where the database's refusal could only say "a value".
    /// </summary>
    private static void RequireNoControlCharacters(string value, string code, string what)
    {
        if (value.Any(char.IsControl))
            throw ApiException.BadRequest(code, $"{what} must not contain control characters");
    }

    public static void SameId(Guid bodyId, Guid pathId, string code, string what)
    {
        if (bodyId != pathId)
            throw ApiException.BadRequest(code, $"{what} in the body does not match the path");
    }
}
