namespace Nonlinear.Web;

/// <summary>A request the server refuses: its status (4xx) and a message the page shows as it is.</summary>
public sealed class WebRequestException : Exception
{
    /// <summary>A refusal with <paramref name="status"/> and <paramref name="message"/>.</summary>
    public WebRequestException(int status, string message)
        : base(message)
    {
        if (status is < 400 or > 499)
        {
            throw new ArgumentOutOfRangeException(nameof(status), status, "A refusal is a 4xx status.");
        }

        Status = status;
    }

    /// <summary>The HTTP status, 400-499.</summary>
    public int Status { get; }

    /// <summary>400 Bad Request.</summary>
    public static WebRequestException BadRequest(string message) => new(StatusCodes.Status400BadRequest, message);

    /// <summary>404 Not Found.</summary>
    public static WebRequestException NotFound(string message) => new(StatusCodes.Status404NotFound, message);
}
