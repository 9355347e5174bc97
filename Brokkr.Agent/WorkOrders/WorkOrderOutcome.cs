using Brokkr.Agent.Broker;

namespace Brokkr.Agent.WorkOrders;

/// <summary>What running a work order came to, as the broker's complete call takes it.</summary>
public sealed record WorkOrderOutcome(bool Success, bool Retryable, string Message)
{
    public const string Succeeded = "success";
    public const string Failed = "failure";
    public const string RetryableFailure = "retryable_failure";
    public const string TimedOut = "timeout";
    public static readonly string[] Results = [Succeeded, Failed, RetryableFailure, TimedOut];

    /// <summary>The metric label: a Job that outlived the window is told apart from one that failed.</summary>
    public string Result { get; init; } = Success ? Succeeded : Retryable ? RetryableFailure : Failed;

    public static WorkOrderOutcome Ok(string message) => new(true, false, message);
    public static WorkOrderOutcome Permanent(string message) => new(false, false, message);
    public static WorkOrderOutcome Transient(string message) => new(false, true, message);

    public WorkOrderCompletion ToCompletion() => new(Success, Message, Retryable);
}
