using System.Collections;
using System.Collections.ObjectModel;
using System.Data;
using System.Data.Common;

namespace Brokkr.Broker.Metrics;

/// <summary>
/// A pass-through reader that reports an error raised while a command's results are read — a later statement of
/// the command failing, the connection dropping mid-stream — to <see cref="DatabaseMetricsInterceptor"/>. Only
/// advancing (<c>Read</c>, <c>NextResult</c>) and closing, which reads what is left, talk to the server, so only
/// those are watched.
/// </summary>
public sealed class MeteredDataReader(DbDataReader inner, DatabaseMetricsInterceptor owner, string operation)
    : DbDataReader, IDbColumnSchemaGenerator
{
    public override bool Read()
    {
        try
        {
            return inner.Read();
        }
        catch (Exception e)
        {
            owner.ReaderFailed(operation, e);
            throw;
        }
    }

    public override Task<bool> ReadAsync(CancellationToken cancellationToken)
    {
        var read = inner.ReadAsync(cancellationToken);
        return read.IsCompletedSuccessfully ? read : Watched(read);
    }

    public override bool NextResult()
    {
        try
        {
            return inner.NextResult();
        }
        catch (Exception e)
        {
            owner.ReaderFailed(operation, e);
            throw;
        }
    }

    public override Task<bool> NextResultAsync(CancellationToken cancellationToken)
    {
        var next = inner.NextResultAsync(cancellationToken);
        return next.IsCompletedSuccessfully ? next : Watched(next);
    }

    private async Task<bool> Watched(Task<bool> advance)
    {
        try
        {
            return await advance;
        }
        catch (Exception e)
        {
            owner.ReaderFailed(operation, e);
            throw;
        }
    }

    public override int Depth => inner.Depth;
    public override int FieldCount => inner.FieldCount;
    public override int VisibleFieldCount => inner.VisibleFieldCount;
    public override bool HasRows => inner.HasRows;
    public override bool IsClosed => inner.IsClosed;
    public override int RecordsAffected => inner.RecordsAffected;
    public override object this[int ordinal] => inner[ordinal];
    public override object this[string name] => inner[name];

    public override bool GetBoolean(int ordinal) => inner.GetBoolean(ordinal);
    public override byte GetByte(int ordinal) => inner.GetByte(ordinal);
    public override long GetBytes(int ordinal, long dataOffset, byte[]? buffer, int bufferOffset, int length) =>
        inner.GetBytes(ordinal, dataOffset, buffer, bufferOffset, length);
    public override char GetChar(int ordinal) => inner.GetChar(ordinal);
    public override long GetChars(int ordinal, long dataOffset, char[]? buffer, int bufferOffset, int length) =>
        inner.GetChars(ordinal, dataOffset, buffer, bufferOffset, length);
    public override string GetDataTypeName(int ordinal) => inner.GetDataTypeName(ordinal);
    public override DateTime GetDateTime(int ordinal) => inner.GetDateTime(ordinal);
    public override decimal GetDecimal(int ordinal) => inner.GetDecimal(ordinal);
    public override double GetDouble(int ordinal) => inner.GetDouble(ordinal);
    public override Type GetFieldType(int ordinal) => inner.GetFieldType(ordinal);
    public override float GetFloat(int ordinal) => inner.GetFloat(ordinal);
    public override Guid GetGuid(int ordinal) => inner.GetGuid(ordinal);
    public override short GetInt16(int ordinal) => inner.GetInt16(ordinal);
    public override int GetInt32(int ordinal) => inner.GetInt32(ordinal);
    public override long GetInt64(int ordinal) => inner.GetInt64(ordinal);
    public override string GetName(int ordinal) => inner.GetName(ordinal);
    public override int GetOrdinal(string name) => inner.GetOrdinal(name);
    public override string GetString(int ordinal) => inner.GetString(ordinal);
    public override object GetValue(int ordinal) => inner.GetValue(ordinal);
    public override int GetValues(object[] values) => inner.GetValues(values);
    public override bool IsDBNull(int ordinal) => inner.IsDBNull(ordinal);
    public override Task<bool> IsDBNullAsync(int ordinal, CancellationToken cancellationToken) =>
        inner.IsDBNullAsync(ordinal, cancellationToken);
    public override T GetFieldValue<T>(int ordinal) => inner.GetFieldValue<T>(ordinal);
    public override Task<T> GetFieldValueAsync<T>(int ordinal, CancellationToken cancellationToken) =>
        inner.GetFieldValueAsync<T>(ordinal, cancellationToken);
    public override Stream GetStream(int ordinal) => inner.GetStream(ordinal);
    public override TextReader GetTextReader(int ordinal) => inner.GetTextReader(ordinal);
    public override Type GetProviderSpecificFieldType(int ordinal) => inner.GetProviderSpecificFieldType(ordinal);
    public override object GetProviderSpecificValue(int ordinal) => inner.GetProviderSpecificValue(ordinal);
    public override int GetProviderSpecificValues(object[] values) => inner.GetProviderSpecificValues(values);
    public override DataTable? GetSchemaTable() => inner.GetSchemaTable();
    public override Task<DataTable?> GetSchemaTableAsync(CancellationToken cancellationToken = default) =>
        inner.GetSchemaTableAsync(cancellationToken);
    public override Task<ReadOnlyCollection<DbColumn>> GetColumnSchemaAsync(CancellationToken cancellationToken = default) =>
        inner.GetColumnSchemaAsync(cancellationToken);
    public ReadOnlyCollection<DbColumn> GetColumnSchema() => inner.GetColumnSchema();
    public override IEnumerator GetEnumerator() => new DbEnumerator(this, closeReader: false);

    // Closing reads whatever results are left, so a later statement of the command can fail here.
    public override void Close()
    {
        try
        {
            inner.Close();
        }
        catch (Exception e)
        {
            owner.ReaderFailed(operation, e);
            throw;
        }
    }

    public override async Task CloseAsync()
    {
        try
        {
            await inner.CloseAsync();
        }
        catch (Exception e)
        {
            owner.ReaderFailed(operation, e);
            throw;
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            try
            {
                Close();
            }
            finally
            {
                inner.Dispose();
            }
        }
    }

    public override async ValueTask DisposeAsync()
    {
        try
        {
            await CloseAsync();
        }
        finally
        {
            await inner.DisposeAsync();
        }
    }
}
