namespace Brokkr.Broker.Api.V1.Admin;

/// <summary>The contract's Admin routes: the audit trail and live configuration reload.</summary>
public static class AdminApi
{
    public const string Tag = "Admin";

    public static RouteGroupBuilder MapAdminApi(this RouteGroupBuilder api)
    {
        api.MapGroup("/admin").WithTags(Tag).MapAuditLogsApi().MapConfigReloadApi();
        return api;
    }
}
