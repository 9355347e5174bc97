using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Brokkr.Broker.Errors;

/// <summary>
/// Spec §3: database constraint failures on writes, mapped once for every endpoint — plus the values PostgreSQL
/// refuses outright (SQLSTATE class 22, e.g. a NUL character in any text), on reads (a query or route value) as on writes.
/// </summary>
public static class DatabaseErrors
{
    private const string DataExceptionClass = "22";

    /// <summary>The PostgreSQL error behind <paramref name="exception"/> (EF Core wraps it in DbUpdateException), if any.</summary>
    public static PostgresException? Postgres(Exception exception) =>
        exception as PostgresException ?? exception.InnerException as PostgresException;

    public static ApiException? Map(Exception exception)
    {
        var postgres = Postgres(exception);
        if (postgres is null)
        {
            return exception is DbUpdateConcurrencyException
                ? ApiException.NotFound("not_found", "the row to update no longer exists")
                : null;
        }

        var details = postgres.ConstraintName is { Length: > 0 } name
            ? new Dictionary<string, object> { ["constraint"] = name }
            : null;
        return postgres.SqlState switch
        {
            PostgresErrorCodes.UniqueViolation =>
                new ApiException(StatusCodes.Status409Conflict, "unique_violation", "a row with these values already exists", details),
            PostgresErrorCodes.ForeignKeyViolation =>
                new ApiException(StatusCodes.Status422UnprocessableEntity, "foreign_key_violation", "a referenced row does not exist", details),
            PostgresErrorCodes.CheckViolation =>
                new ApiException(StatusCodes.Status422UnprocessableEntity, "check_violation", "a value violates a check constraint"),
            PostgresErrorCodes.NotNullViolation =>
                new ApiException(StatusCodes.Status422UnprocessableEntity, "not_null_violation", "a required value is missing"),
            // Two writers raced on the same rows and PostgreSQL aborted one: the loser may simply retry.
            PostgresErrorCodes.SerializationFailure or PostgresErrorCodes.DeadlockDetected =>
                new ApiException(StatusCodes.Status409Conflict, "concurrent_update", "a concurrent request changed the same rows; retry"),
            PostgresErrorCodes.StringDataRightTruncation =>
                new ApiException(StatusCodes.Status422UnprocessableEntity, "value_too_long", "a value is longer than its column allows"),
            // The rest of class 22 ("data exception"): a value the database cannot store or compare, most often text
            // with a NUL character (22021). The client sent it, so it is a 422 like the constraint failures above.
            { } state when state.StartsWith(DataExceptionClass, StringComparison.Ordinal) =>
                new ApiException(StatusCodes.Status422UnprocessableEntity, "invalid_value", "a value is not acceptable to the database (for instance, text containing a NUL character)"),
            _ => null,
        };
    }
}
